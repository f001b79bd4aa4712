// Changing a model's settings from the command line (`--set learningRate=0.005`): the Config is
// encoded to JSON, the named fields replaced, and decoded again, so that every field of every
// model can be set, and a misspelt name or a value of the wrong kind is an error that says so.

import _WorkbookSupport
import Foundation

enum ConfigOverrides {
    static func apply<C: Codable>(_ overrides: [String: String], to config: C, model: String) throws -> C {
        guard !overrides.isEmpty else { return config }
        let encoded = try JSONEncoder().encode(config)
        guard var object = try JSONSerialization.jsonObject(with: encoded) as? [String: Any] else { return config }
        for (key, text) in overrides.sorted(by: { $0.key < $1.key }) {
            let value = (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
            try set(&object, path: key.split(separator: ".").map(String.init), value: value, key: key, model: model)
        }
        do {
            return try JSONDecoder().decode(C.self, from: JSONSerialization.data(withJSONObject: object))
        } catch {
            // A value of the right kind that a Config refuses (epochs of 0) says why.
            var why = ""
            if case DecodingError.dataCorrupted(let context) = error { why = " (\(context.debugDescription))" }
            throw WorkbookError(
                "\(model)'s settings do not accept "
                    + overrides.map { "\($0)=\($1)" }.sorted().joined(separator: ", ") + why,
                fix: "give each setting a value of its kind (a number, true/false, or a list like [1,2])")
        }
    }

    private static func set(
        _ object: inout [String: Any], path: [String], value: Any, key: String, model: String
    ) throws {
        guard let first = path.first, object.keys.contains(first) else {
            throw WorkbookError(
                "\(model) has no setting '\(key)'",
                fix: "choose one of " + object.keys.sorted().joined(separator: ", "))
        }
        if path.count == 1 {
            object[first] = value
            return
        }
        guard var inner = object[first] as? [String: Any] else {
            throw WorkbookError(
                "\(model)'s setting '\(first)' has no field '\(path.dropFirst().joined(separator: "."))'",
                fix: "set '\(first)' itself")
        }
        try set(&inner, path: Array(path.dropFirst()), value: value, key: key, model: model)
        object[first] = inner
    }
}
