import Foundation
import RecKit
import XCTest

/// Bad input the loaders once accepted, trapped on or quoted whole: each is now a one-line
/// error naming the file and line (or, with skipBadLines, a counted line).
final class LoaderHardeningTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("hardening-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func write(_ name: String, _ bytes: Data) throws { try bytes.write(to: dir.appendingPathComponent(name)) }
    func write(_ name: String, _ text: String) throws { try write(name, Data(text.utf8)) }
    func remove(_ name: String) { try? FileManager.default.removeItem(at: dir.appendingPathComponent(name)) }

    /// The error `load` throws, as the CLI prints it; fails the test when it loads.
    func error(_ options: LoadOptions = LoadOptions(), file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let data = try MovieLens.load(directory: dir, options: options)
            XCTFail("loaded \(data.count) ratings", file: file, line: line)
            return ""
        } catch {
            let message = "\(error)"
            XCTAssertEqual(message.split(separator: "\n").count, 1, "one line: \(message)", file: file, line: line)
            return message
        }
    }

    func testTimestampTooLargeForInt64IsALineNumberedErrorNotATrap() throws {
        for bad in ["1e30", "9.3e18", "-1e30", "inf"] {
            try write("u.data", "1\t2\t3\t881250949\n1\t3\t4\t\(bad)\n")
            let expected = "u.data, line 2: timestamp '\(bad)' is not a time between the years 1 and 9999"
            XCTAssertTrue(error().hasPrefix(expected), error())
            let skipped = try MovieLens.load(directory: dir, options: LoadOptions(skipBadLines: true))
            XCTAssertEqual(skipped.count, 1)
            XCTAssertEqual(skipped.skippedLines, 1)
        }
        try write("u.data", "1\t2\t3\t8.8e8\n")  // RecBole writes some timestamps like this
        XCTAssertEqual(try MovieLens.load(directory: dir).timestamps, [880_000_000])
    }

    func testIdsAndTimestampsPast64BitsAreRefusedNotWrapped() throws {
        let huge = "99999999999999999999"
        for (line, what) in [("\(huge)\t2\t3\t4", "user id"), ("1\t\(huge)\t3\t4", "item id")] {
            try write("u.data", "1\t2\t3\t4\n\(line)\n")
            XCTAssertTrue(error().hasPrefix("u.data, line 2: \(what) '\(huge)' does not fit in 64 bits"), error())
        }
        try write("u.data", "1\t2\t3\t4\n1\t3\t3\t\(huge)\n")
        XCTAssertTrue(error().hasPrefix("u.data, line 2: timestamp '\(huge)' is not a time"), error())
        try write("u.data", "9223372036854775807\t2\t3\t253402300799\n")  // the largest of each still loads
        let data = try MovieLens.load(directory: dir)
        XCTAssertEqual(data.userIds, [Int.max])
        XCTAssertEqual(data.timestamps, [253_402_300_799])
    }

    func testRatingsOutsideTheLayoutsScaleAreRefused() throws {
        for bad in ["6", "0", "1e30", "1e300", "3.5", "nan", "-1"] {
            try write("u.data", "1\t2\t3\t4\n1\t3\t\(bad)\t4\n")
            let expected = "u.data, line 2: rating '\(bad)' is outside the scale of ml-100k (integers 1 to 5)"
            XCTAssertTrue(error().hasPrefix(expected), error())
        }
        remove("u.data")
        try write("ratings.csv", "userId,movieId,rating,timestamp\n1,1,0.5,1\n1,2,5.0,1\n1,3,0.25,1\n")
        let expected = "ratings.csv, line 4: rating '0.25' is outside the scale of ml-latest (0.5 to 5 in steps of 0.5)"
        XCTAssertTrue(error().hasPrefix(expected), error())
        let skipped = try MovieLens.load(directory: dir, options: LoadOptions(skipBadLines: true))
        XCTAssertEqual(skipped.ratings, [0.5, 5])
        XCTAssertEqual(skipped.skippedLines, 1)
        XCTAssertEqual(skipped.ratingScale, .halfStars)
        remove("ratings.csv")
        try write("ratings.dat", "1::1::6::1\n")
        XCTAssertTrue(error().contains("rating '6' is outside the scale of ml-1m (integers 1 to 5)"), error())
        remove("ratings.dat")
        try write("x.inter", "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t2\t4.5\t1\n")
        XCTAssertTrue(error().contains("outside the scale of RecBole atomic files (integers 1 to 5)"), error())
        // A scale given by the caller replaces the layout's.
        let halves = try MovieLens.load(directory: dir, options: LoadOptions(ratingScale: .halfStars))
        XCTAssertEqual(halves.ratings, [4.5])
    }

    func testDuplicatePairsKeepTheLastRatingInFileOrderAndAreCounted() throws {
        try write("u.data", "1\t10\t2\t100\n2\t10\t4\t50\n1\t11\t3\t101\n1\t10\t5\t90\n1\t10\t1\t80\n")
        let data = try MovieLens.load(directory: dir)
        XCTAssertEqual(data.count, 3)
        XCTAssertEqual(data.duplicatesDropped, 2)
        // The survivors keep the file's order; (1, 10) keeps its last rating, 1 (at time 80).
        XCTAssertEqual(data.ratings, [4, 3, 1])
        XCTAssertEqual(data.timestamps, [50, 101, 80])
        XCTAssertTrue(MovieLens.duplicatePolicy.contains("keeps its last rating in file order"))
        XCTAssertEqual(data.subset([0, 1]).duplicatesDropped, 2, "filters keep the loader's counts")
    }

    func testNegativeIdsAreRefused() throws {
        try write("u.data", "1\t2\t3\t4\n-3\t2\t3\t4\n")
        XCTAssertTrue(error().hasPrefix("u.data, line 2: user id '-3' is negative (ids are integers from 0)"), error())
        try write("u.data", "1\t-2\t3\t4\n")
        XCTAssertTrue(error().hasPrefix("u.data, line 1: item id '-2' is negative"), error())
    }

    func testByteOrderMarkIsAcceptedInEveryTextFile() throws {
        let bom = Data([0xEF, 0xBB, 0xBF])
        let flags = Array(repeating: "0", count: 19).joined(separator: "|")
        let layouts: [[(String, String)]] = [
            [("u.data", "1\t242\t3\t881250949\n"), ("u.item", "242|Kolya (1996)|24-Jan-1997||http://x|\(flags)\n")],
            [("ratings.dat", "1::242::5::978300760\n"), ("movies.dat", "242::Kolya (1996)::Comedy\n")],
            [
                ("ratings.csv", "userId,movieId,rating,timestamp\n1,242,4.0,964982703\n"),
                ("movies.csv", "movieId,title,genres\n242,Kolya (1996),Comedy\n"),
            ],
            [
                (
                    "ml-100k.inter",
                    "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t242\t3\t881250949\n"
                ),
                ("ml-100k.item", "item_id:token\tmovie_title:token_seq\trelease_year:token\n242\tKolya\t1996\n"),
            ],
        ]
        for files in layouts {
            for (name, text) in files { try write(name, bom + Data(text.utf8)) }
            let data = try MovieLens.load(directory: dir)
            XCTAssertEqual(data.itemIds, [242], files[0].0)
            XCTAssertEqual(data.catalogue[0].displayTitle, "Kolya (1996)", files[1].0)
            for (name, _) in files { remove(name) }
        }
    }

    func testCatalogueWithCRLFLineEndsLoadsEveryLine() throws {
        try write("ratings.dat", "1::1::5::1\r\n1::2::3::2\r\n")
        try write("movies.dat", "1::Heat (1995)::Action\r\n2::Kolya (1996)::Comedy\r\n")
        let data = try MovieLens.load(directory: dir)
        XCTAssertEqual(data.catalogue.map(\.displayTitle), ["Heat (1995)", "Kolya (1996)"])
        XCTAssertEqual(data.catalogue[1].genres, ["Comedy"])
    }

    func testErrorQuotesAtMostAShortPrefixOfAHugeField() throws {
        let field = String(repeating: "x", count: 10_000_000)
        try write("u.data", "1\t2\t\(field)\t4\n")
        let message = error()
        XCTAssertLessThan(message.count, 300, String(message.prefix(300)))
        let quoted = "rating '\(String(repeating: "x", count: 40))…' (10000000 bytes) is not a number"
        XCTAssertTrue(message.contains(quoted), String(message.prefix(300)))
        try write("ratings.csv", "userId,movieId,\(field)\n")
        remove("u.data")
        XCTAssertLessThan(error().count, 300)
    }

    func testRatingScaleSaysWhatItAccepts() {
        XCTAssertEqual("\(RatingScale.stars)", "integers 1 to 5")
        XCTAssertEqual("\(RatingScale.halfStars)", "0.5 to 5 in steps of 0.5")
        XCTAssertTrue(RatingScale.halfStars.contains(3.5))
        XCTAssertFalse(RatingScale.stars.contains(3.5))
        XCTAssertFalse(RatingScale.stars.contains(.nan))
        XCTAssertFalse(RatingScale.stars.contains(.infinity))
    }
}
