// Changing a model's settings from the command line (`--set learningRate=0.005`): the Config is
// encoded to JSON, the named fields replaced, and decoded again, so that every field of every
// model can be set, and a misspelt name or a value of the wrong kind is an error that says so.

import _WorkbookSupport
import Foundation

enum ConfigOverrides {
    static func apply<C: ModelConfig>(_ overrides: [String: String], to config: C, model: String) throws -> C {
        guard !overrides.isEmpty else {
            if let error = SettingRule.check(config, model: model) { throw error }  // the presets keep the rules too
            return config
        }
        let encoded = try JSONEncoder().encode(config)
        guard var object = try JSONSerialization.jsonObject(with: encoded) as? [String: Any] else { return config }
        for (key, text) in overrides.sorted(by: { $0.key < $1.key }) {
            let value = (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
            try set(&object, path: key.split(separator: ".").map(String.init), value: value, key: key, model: model)
        }
        let decoded: C
        do {
            decoded = try JSONDecoder().decode(C.self, from: JSONSerialization.data(withJSONObject: object))
        } catch {
            // A value of the right kind that a Config refuses (epochs of 0) says why.
            var why = ""
            if case DecodingError.dataCorrupted(let context) = error { why = " (\(context.debugDescription))" }
            let given = overrides.map { "\($0)=\($1)" }.sorted().joined(separator: ", ")
            throw WorkbookError(
                LibraryWords.say("settings.error.refused", ["model": model, "given": given]) + why,
                fix: LibraryWords.say("settings.error.refused.fix"))
        }
        // A value of the right kind outside its setting's range (a size of 0) says which range.
        if let error = SettingRule.check(decoded, model: model) { throw error }
        return decoded
    }

    private static func set(
        _ object: inout [String: Any], path: [String], value: Any, key: String, model: String
    ) throws {
        guard let first = path.first, object.keys.contains(first) else {
            throw WorkbookError(
                LibraryWords.say("settings.error.unknown", ["model": model, "key": key]),
                fix: LibraryWords.say(
                    "settings.error.choose", ["choices": object.keys.sorted().joined(separator: ", ")]))
        }
        if path.count == 1 {
            object[first] = value
            return
        }
        guard var inner = object[first] as? [String: Any] else {
            let field = path.dropFirst().joined(separator: ".")
            throw WorkbookError(
                LibraryWords.say("settings.error.no-field", ["model": model, "setting": first, "field": field]),
                fix: LibraryWords.say("settings.error.no-field.fix", ["setting": first]))
        }
        try set(&inner, path: Array(path.dropFirst()), value: value, key: key, model: model)
        object[first] = inner
    }
}
