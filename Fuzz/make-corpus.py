#!/usr/bin/env python3
"""Writes Fuzz/corpus/: small seed inputs taken from the test fixtures (never MovieLens data).

Each file is one selector byte (see Sources/WorkbookFuzz/LoaderFuzz.swift) and the file's bytes.
Run it again after changing the fixtures: python3 Fuzz/make-corpus.py
"""
import hashlib, io, json, os, struct, zipfile

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "corpus")
os.makedirs(out, exist_ok=True)
flags = "|".join(["0"] * 19)
comedy = "|".join(["0"] * 5 + ["1"] + ["0"] * 13)
bom = b"\xef\xbb\xbf"
seeds = {
    "u-data": (0, b"196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t242\t1\t878887116\n"),
    "u-data-bad-lines": (0x80, b"1\t2\t3\t4\n1\t2\n5\t6\t7\t8\n1\t2\tthree\t4\n"
                               b"9\t9\t1e30\t1\n1\t3\t4\t9.3e18\n"),
    "u-data-duplicates": (0, b"1\t10\t2\t100\n2\t10\t4\t50\n1\t11\t3\t101\n1\t10\t5\t90\r\n"),
    "u-data-bom": (0, bom + b"1\t242\t3\t881250949\n"),
    "u-item-latin1": (1, ("1|Kolya (1996)|24-Jan-1997||http://x|" + comedy + "\n"
                          + "2|Caf\u00e9 au Lait (M\u00e9tisse) (1993)|01-Jan-1993||http://y|" + flags + "\n"
                          ).encode("latin-1")),
    "ratings-dat": (2, b"1::1193::5::978300760\n1::661::3::978302109\n"),
    "movies-dat": (3, b"1::One Flew Over the Cuckoo's Nest (1975)::Drama\r\n"
                      b"2::James and the Giant Peach (1996)::Animation|Children's|Musical\n"),
    "ratings-csv": (4, b"userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,3,3.5,964981247\r\n"),
    "ratings-csv-header-twice": (4, b"userId,movieId,rating,timestamp\n1,2,3,4\nuserId,movieId,rating,timestamp\n"),
    "movies-csv-quoted": (5, b'movieId,title,genres\n1,"American President, The (1995)",Comedy|Drama|Romance\n'
                             b'2,"""Great Performances"" Cats (1998)",Musical\n'),
    "inter-reordered": (6, b"item_id:token\tuser_id:token\ttimestamp:float\trating:float\n"
                           b"10\t1\t5\t4\n11\t2\t8.8e8\t5\n"),
    "inter-missing-column": (6, b"user_id:token\titem_id:token\trating:float\n1\t2\t3\n"),
    "item-recbole": (7, b"item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n"
                        b"1\tToy Story\t1995\tAnimation Children's Comedy\n"),
}
for name, (selector, body) in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([selector]) + body)

# A valid model file (ModelFile.swift's format) and one whose shapes overflow.
def model(shapes, values):
    payload = b"".join(struct.pack("<f", v) for v in values)
    header = {"model": "gmf", "dataset": "toy", "fingerprint": "abc", "users": 2, "items": 3, "seed": 7,
              "mode": "quick", "settings": "f = 2", "trainSeconds": 0.5,
              "tensors": [{"name": "t%d" % i, "shape": s} for i, s in enumerate(shapes)],
              "payloadSHA256": hashlib.sha256(payload).hexdigest()}
    return b"workbook-model 1\n" + json.dumps(header, sort_keys=True, separators=(",", ":")).encode() + b"\n" + payload
with open(os.path.join(out, "model-valid"), "wb") as f:
    f.write(bytes([8]) + model([[2, 3], [1], [0, 4]], [1, -0.0, 3.25, -7, 1e-38, 2, 0.5]))
with open(os.path.join(out, "model-overflow"), "wb") as f:
    f.write(bytes([8]) + model([[4611686018427387904, 4]], []))

# Zip archives (selector 9): deflated and stored, as the GroupLens zip and the wheel are.
def archive(entries, method=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buffer.getvalue()
zips = {
    "zip-deflated": archive([("ml-100k/u.data", b"1\t2\t3\t4\n" * 50), ("ml-100k/README", b"hi")]),
    "zip-stored": archive([("recbole/dataset_example/ml-100k/ml-100k.inter", b"user_id:token\n1\n")],
                          zipfile.ZIP_STORED),
}
for name, body in zips.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([9]) + body)
