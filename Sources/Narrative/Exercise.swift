// Exercises: the learner answers in the chapter's Exercises.swift; `swift test` checks each
// answer with the same check that proves the reference solution right.

/// What a check concluded about one answer.
public enum ExerciseVerdict: Sendable, Equatable {
    /// The learner has not answered yet (the function still returns nil).
    case untouched
    case correct
    /// A wrong answer, with an explanation of what is off.
    case wrong(String)
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
    /// Checks the learner's answer (in Exercises.swift).
    public let checkAnswer: @Sendable () -> ExerciseVerdict
    /// Checks the reference solution with the same check.
    public let checkReference: @Sendable () -> ExerciseVerdict

    public init(
        id: String, title: String, prompt: String, hint: String, answerIn: String,
        checkAnswer: @escaping @Sendable () -> ExerciseVerdict,
        checkReference: @escaping @Sendable () -> ExerciseVerdict
    ) {
        self.id = id
        self.title = title
        self.prompt = prompt
        self.hint = hint
        self.answerIn = answerIn
        self.checkAnswer = checkAnswer
        self.checkReference = checkReference
    }
}

extension Exercise {
    /// The block ids of this exercise's title, prompt and hint in a chapter's text files. English
    /// keeps them in Swift beside the check (the reference); another language translates all three.
    public var textIDs: [String] { ["title", "prompt", "hint"].map { "exercise.\(id).\($0)" } }

    /// Title, prompt and hint in `text`'s language (the Swift English where it is English).
    public func words(_ text: Text) -> (title: String, prompt: String, hint: String) {
        guard text.language != Languages.english else { return (title, prompt, hint) }
        let ids = textIDs, english = [title, prompt, hint]
        let words = ids.indices.map { k in
            if text.translates(ids[k]) { return text(ids[k]) }
            text.note("block '\(ids[k])' is missing in \(text.language)")
            return english[k]
        }
        return (words[0], words[1], words[2])
    }
}

/// Ready-made checks.
public enum Check {
    /// A number within a tolerance.
    public static func number(
        _ answer: Double?, expected: Double, tolerance: Double = 1e-3,
        explain: String
    ) -> ExerciseVerdict {
        guard let answer else { return .untouched }
        if abs(answer - expected) <= tolerance { return .correct }
        return .wrong("got \(answer), which is off by more than \(tolerance). \(explain)")
    }

    /// A function, compared with the reference on each case; `describe` prints a case.
    public static func function<Input, Output>(
        cases: [Input], answer: (Input) -> Output?, reference: (Input) -> Output,
        matches: (Output, Output) -> Bool, describe: (Input) -> String
    )
        -> ExerciseVerdict
    {
        for input in cases {
            guard let got = answer(input) else { return .untouched }
            let want = reference(input)
            if !matches(got, want) { return .wrong("for \(describe(input)) it returned \(got), expected \(want)") }
        }
        return .correct
    }
}
