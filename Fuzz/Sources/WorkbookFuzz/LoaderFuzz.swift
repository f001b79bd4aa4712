// libFuzzer's entry point: the first byte picks what the rest of the input is, and it is read
// as that file would be. Loading may fail (that is its job); it must never trap, and what it
// loads must satisfy the loaders' rules, checked here (a broken rule is a crash the fuzzer
// reports).
//
//   0 u.data          1 u.item (beside a valid u.data)
//   2 ratings.dat     3 movies.dat (beside a valid ratings.dat)
//   4 ratings.csv     5 movies.csv (beside a valid ratings.csv)
//   6 x.inter         7 x.item (beside a valid x.inter)
//   8 a model file     9 a zip archive (DataFetch's ZipArchive, each entry inflated)
// The byte's high bit loads with skipBadLines.

import CFuzzerDriver
import DataFetch
import Foundation
import Models
import RecKit

@main
enum Fuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) })
    }
}

/// One folder per process, where every input is written: in $WORKBOOK_FUZZ_DIR (run.sh makes
/// one on tmpfs and removes it), else in the temporary folder.
let folder: URL = {
    let base = ProcessInfo.processInfo.environment["WORKBOOK_FUZZ_DIR"].map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.temporaryDirectory
    let url = base.appendingPathComponent("workbook-fuzz-\(ProcessInfo.processInfo.processIdentifier)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}()

let companions: [(ratings: String, catalogue: String, valid: String)] = [
    ("u.data", "u.item", "1\t1\t3\t881250949\n2\t2\t5\t891717742\n"),
    ("ratings.dat", "movies.dat", "1::1::5::978300760\n2::2::3::978302109\n"),
    ("ratings.csv", "movies.csv", "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n2,2,3.5,964981247\n"),
    ("x.inter", "x.item", "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t1\t3\t1\n2\t2\t4\t2\n"),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: start, count: count)
    let selector = Int(input[0] & 0x7F) % 10, skip = input[0] & 0x80 != 0
    let body = Data(input.dropFirst())
    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
    }
    if selector == 9 {
        let url = folder.appendingPathComponent("x.zip")
        try? body.write(to: url)
        guard let archive = try? ZipArchive(url, entryLimit: 1 << 16) else { return 0 }
        for entry in archive.entries.prefix(16) where entry.isFile {
            if let bytes = try? archive.extract(entry), UInt64(bytes.count) != entry.declaredSize {
                fatalError("an entry extracted to another size than it declares")
            }
        }
        return 0
    }
    if selector == 8 {
        // An empty file is skipped: swift-foundation's FileManager.contents(atPath:) leaks 4 KiB
        // on one, which LeakSanitizer would report on every run (ModelFile refuses it anyway).
        guard !body.isEmpty else { return 0 }
        let url = folder.appendingPathComponent("model.wbmodel")
        try? body.write(to: url)
        if let file = try? ModelFile.read(from: url) { check(file) }
        return 0
    }
    let layout = companions[selector / 2]
    if selector % 2 == 0 {
        try? body.write(to: folder.appendingPathComponent(layout.ratings))
    } else {
        try? Data(layout.valid.utf8).write(to: folder.appendingPathComponent(layout.ratings))
        try? body.write(to: folder.appendingPathComponent(layout.catalogue))
    }
    if let data = try? MovieLens.load(directory: folder, options: LoadOptions(skipBadLines: skip)) { check(data) }
    return 0
}

/// The loaders' promises (Loaders.swift), and the filters on what they loaded.
func check(_ data: RatingsData) {
    let n = data.count
    guard data.items.count == n, data.ratings.count == n, data.timestamps.count == n, n > 0,
          data.catalogue.count == data.itemCount,
          let scale = data.ratingScale, data.ratings.allSatisfy({ scale.contains(Double($0)) }),
          data.userIds.allSatisfy({ $0 >= 0 }), data.itemIds.allSatisfy({ $0 >= 0 }),
          data.users.allSatisfy({ $0 >= 0 && Int($0) < data.userCount }),
          data.items.allSatisfy({ $0 >= 0 && Int($0) < data.itemCount }),
          data.timestamps.allSatisfy({ $0 >= -62_135_596_800 && $0 <= 253_402_300_799 }) else {
        fatalError("a loaded data set breaks the loader's rules")
    }
    var pairs = Set<Int64>()
    for r in 0..<n where !pairs.insert(Int64(data.users[r]) << 32 | Int64(data.items[r])).inserted {
        fatalError("a (user, item) pair survived twice")
    }
    _ = data.kCore(userMinimum: 2, itemMinimum: 2)
    _ = data.withMinimumRating(4)
}

func check(_ file: ModelFile) {
    guard file.values.count == file.header.tensors.count,
          zip(file.values, file.header.tensors).allSatisfy({ $0.count == $1.count }) else {
        fatalError("a model file read with values that do not fit its header")
    }
}
