// Exercises: the learner answers in the chapter's Exercises.swift; `swift test` checks each
// answer with the same check that proves the reference solution right.

import _WorkbookSupport

/// What a check concluded about one answer.
public enum ExerciseVerdict: Sendable, Equatable {
    /// The learner has not answered yet (the function still returns nil).
    case untouched
    case correct
    /// A wrong answer, with an explanation of what is off.
    case wrong(Explanation)
}

/// Why an answer is wrong, as a phrase of the exercise's `why` table (or one of the shared checks'
/// phrases, `check.*`) with its values; shown in the reader's language by `Exercise.explain`.
public struct Explanation: Sendable, Equatable {
    public let key: String
    public let values: [String: String]
    /// Phrases inside this one ({{explain}} of `check.number`).
    public let parts: [String: Explanation]

    public init(
        _ key: String, _ values: [String: any CustomStringConvertible] = [:], parts: [String: Explanation] = [:]
    ) {
        self.key = key
        self.values = values.mapValues { $0.description }
        self.parts = parts
    }

    /// The shared checks' phrases in English (another language: `exercise.<key>` blocks of the shared text).
    public static let shared: [String: String] = [
        "check.number": "got {{answer}}, which is off by more than {{tolerance}}. {{explain}}",
        "check.function": "for {{case}} it returned {{got}}, expected {{want}}",
        "check.reference-not-scalar": "the reference is not a scalar",
        "check.not-scalar": "the function must return one number (a scalar tensor)",
        "check.value": "on the test inputs it gives {{got}}, but the right value is {{want}}",
        "check.no-gradient":
            "the value is right but no gradient reaches {{name}}: build the result from tensor operations, "
            + "not from numbers read out of the tensors",
        "check.gradient":
            "the value is right but the gradient with respect to {{name}} is not: check each term's sign and "
            + "the averaging",
    ]
}

public struct Exercise: Sendable {
    /// "1.2"
    public let id: String
    public let title: String
    /// The question, as shown at the end of the chapter.
    public let prompt: String
    /// Shown when the exercise is still untouched.
    public let hint: String
    /// Where to answer: the function to fill in.
    public let answerIn: String
    /// Why an answer can be wrong: English phrases with {{placeholders}}, by key (`Explanation`'s).
    public let why: [String: String]
    /// Checks the learner's answer (in Exercises.swift).
    public let checkAnswer: @Sendable () -> ExerciseVerdict
    /// Checks the reference solution with the same check.
    public let checkReference: @Sendable () -> ExerciseVerdict

    public init(
        id: String, title: String, prompt: String, hint: String, answerIn: String, why: [String: String] = [:],
        checkAnswer: @escaping @Sendable () -> ExerciseVerdict,
        checkReference: @escaping @Sendable () -> ExerciseVerdict
    ) {
        self.id = id
        self.title = title
        self.prompt = prompt
        self.hint = hint
        self.answerIn = answerIn
        self.why = why
        self.checkAnswer = checkAnswer
        self.checkReference = checkReference
    }
}

extension Exercise {
    /// The block ids of this exercise's title, prompt and hint in a chapter's text files. English
    /// keeps them in Swift beside the check (the reference); another language translates all three.
    public var textIDs: [String] { ["title", "prompt", "hint"].map { "exercise.\(id).\($0)" } }


    /// Title, prompt and hint in `text`'s language (the Swift English where it is English). Another
    /// language's `why` phrases are checked too (present, with the English placeholders).
    public func words(_ text: Text) -> (title: String, prompt: String, hint: String) {
        guard text.language != Languages.english else { return (title, prompt, hint) }
        let ids = textIDs, english = [title, prompt, hint]
        let words = ids.indices.map { k in
            if text.translates(ids[k]) { return text(ids[k]) }
            text.note("block '\(ids[k])' is missing in \(text.language)")
            return english[k]
        }
        for key in why.keys.sorted() {
            let block = "exercise.\(id).why.\(key)"
            if !text.translates(block) {
                text.note("block '\(block)' is missing in \(text.language)")
            } else if text.placeholders(of: block) != TextCatalog.placeholders(in: why[key] ?? "") {
                text.note("block '\(block)' has other placeholders than its English")
            }
        }
        return (words[0], words[1], words[2])
    }

    /// `explanation` in `text`'s language (`shared`: the shared words, for the `check.*` phrases);
    /// English without them, or where a block is missing.
    public func explain(_ explanation: Explanation, in text: Text? = nil, shared: Text? = nil) -> String {
        let isShared = explanation.key.hasPrefix("check.")
        let english = (isShared ? Explanation.shared[explanation.key] : why[explanation.key]) ?? explanation.key
        var values = explanation.values
        for (name, part) in explanation.parts { values[name] = explain(part, in: text, shared: shared) }
        let block = isShared ? "exercise.\(explanation.key)" : "exercise.\(id).why.\(explanation.key)"
        if let words = isShared ? shared : text, words.language != Languages.english, words.translates(block) {
            return words(block, values)
        }
        return LibraryWords.fill(english, values)
    }
}

/// Ready-made checks.
public enum Check {
    /// A number within a tolerance.
    public static func number(
        _ answer: Double?, expected: Double, tolerance: Double = 1e-3,
        explain: Explanation
    ) -> ExerciseVerdict {
        guard let answer else { return .untouched }
        if abs(answer - expected) <= tolerance { return .correct }
        return .wrong(
            Explanation("check.number", ["answer": answer, "tolerance": tolerance], parts: ["explain": explain]))
    }

    /// A function, compared with the reference on each case; `describe` prints a case.
    public static func function<Input, Output>(
        cases: [Input], answer: (Input) -> Output?, reference: (Input) -> Output,
        matches: (Output, Output) -> Bool, describe: (Input) -> Explanation
    )
        -> ExerciseVerdict
    {
        for input in cases {
            guard let got = answer(input) else { return .untouched }
            let want = reference(input)
            if !matches(got, want) {
                let values = ["got": "\(got)", "want": "\(want)"]
                return .wrong(Explanation("check.function", values, parts: ["case": describe(input)]))
            }
        }
        return .correct
    }
}
