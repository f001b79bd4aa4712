import Foundation
import RecKit
import XCTest

final class LoaderTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("loaders-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func write(_ name: String, _ text: String, latin1: Bool = false) throws {
        let data = latin1 ? text.data(using: .isoLatin1)! : Data(text.utf8)
        try data.write(to: dir.appendingPathComponent(name))
    }

    func testML100kLayoutWithLatin1Titles() throws {
        try write("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t242\t1\t878887116\n")
        let flags = Array(repeating: "0", count: 19)
        var comedy = flags; comedy[5] = "1"
        try write(
            "u.item",
            "242|Kolya (1996)|24-Jan-1997||http://x|" + comedy.joined(separator: "|") + "\n"
                + "302|Café au Lait (Métisse) (1993)|01-Jan-1993||http://y|" + flags.joined(separator: "|") + "\n",
            latin1: true)
        let data = try MovieLens.load(directory: dir)
        XCTAssertEqual(data.count, 3)
        XCTAssertEqual(data.userIds, [22, 186, 196])
        XCTAssertEqual(data.itemIds, [242, 302])
        XCTAssertEqual(data.catalogue[0], CatalogueEntry(title: "Kolya", year: 1996, genres: ["Comedy"]))
        XCTAssertEqual(data.catalogue[1].displayTitle, "Café au Lait (Métisse) (1993)")
        XCTAssertEqual(data.users, [2, 1, 0])  // dense indices in ascending raw-id order
    }

    func testRecBoleLayoutWithReorderedColumns() throws {
        try write(
            "ml-100k.inter", "item_id:token\tuser_id:token\ttimestamp:float\trating:float\n10\t1\t5\t4\n11\t2\t6\t5\n")
        try write(
            "ml-100k.item",
            """
            item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n10\tToy \
            Story\t1995\tAnimation Children's Comedy\n
            """
        )
        let data = try MovieLens.load(directory: dir)
        XCTAssertEqual(data.ratings, [4, 5])
        XCTAssertEqual(data.timestamps, [5, 6])
        XCTAssertEqual(data.catalogue[0].displayTitle, "Toy Story (1995)")
        XCTAssertEqual(data.catalogue[0].genres, ["Animation", "Children's", "Comedy"])
        XCTAssertEqual(data.catalogue[1].title, "item 11")
    }

    func testML1mLayout() throws {
        try write("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n")
        try write(
            "movies.dat",
            """
            1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James and the Giant Peach \
            (1996)::Animation|Children's|Musical\n
            """,
            latin1: true)
        let data = try MovieLens.load(directory: dir)
        XCTAssertEqual(data.count, 2)
        XCTAssertEqual(data.catalogue[1].title, "One Flew Over the Cuckoo's Nest")
        XCTAssertEqual(data.catalogue[0].genres, ["Animation", "Children's", "Musical"])
    }

    func testLatestCSVWithQuotedTitles() throws {
        try write("ratings.csv", "userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,3,3.5,964981247\r\n")
        try write(
            "movies.csv",
            """
            movieId,title,genres\n1,\"American President, The (1995)\",Comedy|Drama|Romance\n3,\"\"\"Great \
            Performances\"\" Cats (1998)\",Musical\n
            """
        )
        let data = try MovieLens.load(directory: dir)
        XCTAssertEqual(data.ratings, [4.0, 3.5])
        XCTAssertEqual(data.catalogue[0].displayTitle, "American President, The (1995)")
        XCTAssertEqual(data.catalogue[1].title, "\"Great Performances\" Cats")
    }

    func testMalformedLinesNameFileLineAndProblem() throws {
        try write("u.data", "1\t2\t3\t4\n1\t2\tthree\t4\n")
        XCTAssertThrowsError(try MovieLens.load(directory: dir)) { error in
            XCTAssertEqual("\(error)".prefix(46), "u.data, line 2: rating 'three' is not a number")
        }
        try write("u.data", "1\t2\t3\t4\n1\t2\n5\t6\t4\t8\n")
        XCTAssertThrowsError(try MovieLens.load(directory: dir)) {
            XCTAssertTrue("\($0)".contains("line 2: expected 4 fields"), "\($0)")
        }
        let skipped = try MovieLens.load(directory: dir, options: LoadOptions(skipBadLines: true))
        XCTAssertEqual(skipped.count, 2)
        XCTAssertEqual(skipped.skippedLines, 1)
    }

    func testHeaderInTheWrongPlaceEmptyFileAndMissingColumn() throws {
        try write("ratings.csv", "userId,movieId,rating,timestamp\n1,2,3,4\nuserId,movieId,rating,timestamp\n")
        XCTAssertThrowsError(try MovieLens.load(directory: dir)) {
            XCTAssertTrue("\($0)".contains("header line in the wrong place"), "\($0)")
        }
        try write("ratings.csv", "")
        XCTAssertThrowsError(try MovieLens.load(directory: dir)) {
            XCTAssertTrue("\($0)".contains("ratings.csv: is empty"), "\($0)")
        }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("ratings.csv"))
        try write("x.inter", "user_id:token\titem_id:token\trating:float\n1\t2\t3\n")
        XCTAssertThrowsError(try MovieLens.load(directory: dir)) {
            XCTAssertTrue("\($0)".contains("no timestamp column"), "\($0)")
        }
    }

    func testNoRatingsFileIsAClearError() {
        XCTAssertThrowsError(try MovieLens.load(directory: dir)) {
            XCTAssertTrue("\($0)".contains("workbook data fetch"), "\($0)")
        }
    }

    func testSHA256() {
        XCTAssertEqual(SHA256.hex(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            SHA256.hex(Data(String(repeating: "a", count: 1000).utf8)),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}

/// A small synthetic data set with ties in time, for split tests.
func toyData(users: Int = 30, items: Int = 200, perUser: Int = 25, seed: UInt64 = 1) -> RatingsData {
    var rng = SplitMix(seed)
    var u: [Int] = [], i: [Int] = [], r: [Float] = [], t: [Int64] = []
    for user in 1...users {
        var chosen = Set<Int>()
        while chosen.count < perUser { chosen.insert(1 + Int(rng.next() % UInt64(items))) }
        for (k, item) in chosen.sorted().enumerated() {
            u.append(user); i.append(item); r.append(Float(1 + Int(rng.next() % 5)))
            t.append(Int64(1000 + k / 3))  // ties
        }
    }
    return RatingsData(name: "toy", rawUsers: u, rawItems: i, ratings: r, timestamps: t)
}

struct SplitMix {
    var x: UInt64
    init(_ seed: UInt64) { x = seed }
    mutating func next() -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
