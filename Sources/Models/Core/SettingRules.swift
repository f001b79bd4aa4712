// What each setting of a Config may be, checked when a user sets it by hand (`--set hidden=0`):
// a size of 0 or a dropout of 1.5 is a one-line error that names the setting and the range, not a
// crash deep in a layer's constructor. Each Config lists its rules (`ModelConfig.rules`).

import _WorkbookSupport
import Foundation

/// One setting and whether its value is allowed.
public struct SettingRule: Sendable {
    let name: String, shown: String, allowed: Bool
    /// The LibraryWords phrase of what is allowed ("at least {{min}}", ...), and its values.
    let expected: String, values: [String: String]

    /// A count or size: an integer of at least `minimum`.
    public static func atLeast(_ name: String, _ value: Int, _ minimum: Int = 1) -> SettingRule {
        SettingRule(
            name: name, shown: "\(value)", allowed: value >= minimum, expected: "settings.rule.at-least",
            values: ["min": "\(minimum)"])
    }

    /// A step size or strength: a finite number above 0 (`orZero`: 0 allowed too).
    public static func positive<T: BinaryFloatingPoint>(_ name: String, _ value: T, orZero: Bool = false)
        -> SettingRule
    {
        SettingRule(
            name: name, shown: "\(Double(value))", allowed: value.isFinite && (orZero ? value >= 0 : value > 0),
            expected: orZero ? "settings.rule.non-negative" : "settings.rule.positive", values: [:])
    }

    /// A probability of dropping or corrupting: 0 or more and below 1.
    public static func fraction<T: BinaryFloatingPoint>(_ name: String, _ value: T) -> SettingRule {
        SettingRule(
            name: name, shown: "\(Double(value))", allowed: value >= 0 && value < 1,
            expected: "settings.rule.fraction", values: [:])
    }

    /// The error for the first rule `config` breaks, if any.
    static func check<C: ModelConfig>(_ config: C, model: String) -> WorkbookError? {
        guard let broken = config.rules.first(where: { !$0.allowed }) else { return nil }
        return WorkbookError(
            LibraryWords.say(
                "settings.error.range",
                [
                    "model": model, "setting": broken.name, "value": broken.shown,
                    "rule": LibraryWords.say(broken.expected, broken.values),
                ]),
            fix: LibraryWords.say("settings.error.range.fix", ["setting": broken.name]))
    }
}
