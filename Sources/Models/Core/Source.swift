// Where the Models module's sources are, so that chapters can quote them as listings.

import Foundation

public enum ModelsSource {
    /// The path of `relative` ("NCF/NCF.swift") under Sources/Models.
    public static func file(_ relative: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(relative).path
    }
}
