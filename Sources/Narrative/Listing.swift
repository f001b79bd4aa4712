// Code listings taken from the source that runs, so that what the reader sees can never
// drift from what executes. A region is marked in a chapter's Swift file by
//
//     // listing: name
//     ...code...
//     // end listing
//
// and shown with `Listing.region("name", file: #filePath)`.

import Foundation

public struct Listing: Sendable {
    public let name: String
    /// "Chapters/01-mf-limits/Chapter.swift, lines 40-62"
    public let origin: String
    public let code: String

    /// The marked region `name` of `file`. A missing file or region is an error that says
    /// which marker to add.
    public static func region(_ name: String, file: String) throws -> Listing {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ListingError(
                "cannot read the source file \(file) for listing '\(name)': run the workbook from its source checkout")
        }
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "// listing: \(name)" })
        else {
            throw ListingError("listing '\(name)' has no `// listing: \(name)` marker in \(file)")
        }
        guard
            let end = lines[(start + 1)...].firstIndex(where: {
                $0.trimmingCharacters(in: .whitespaces) == "// end listing"
            })
        else {
            throw ListingError("listing '\(name)' in \(file) has no `// end listing` marker")
        }
        var body = Array(lines[(start + 1)..<end])
        let indent =
            body.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { $0.prefix { $0 == " " }.count }.min() ?? 0
        body = body.map { String($0.dropFirst(min(indent, $0.prefix { $0 == " " }.count))) }
        let relative =
            file.range(of: "/Chapters/").map { "Chapters/" + file[$0.upperBound...] }
            ?? file.range(of: "/Sources/").map { "Sources/" + file[$0.upperBound...] } ?? file
        return Listing(name: name, origin: "\(relative), lines \(start + 2)-\(end)", code: body.joined(separator: "\n"))
    }
}

public struct ListingError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
