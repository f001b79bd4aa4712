import Foundation

// How long a run may take, and how long work reports its progress: shared by the models (which
// pick their budgets by mode) and the narrative (which draws the bars).

/// How long a chapter (or a model's training) may take.
public enum RunMode: String, Sendable, CaseIterable, Codable {
    /// Seconds: tiny budgets, for smoke tests.
    case quick
    /// About a minute a chapter on 2 cores: every model trained to convergence (early stopping).
    case standard = "default"
    /// The papers' budgets.
    case full
}

/// Something that shows how far a long piece of work has got (a progress bar).
public protocol ProgressReporter: AnyObject {
    /// `done` units of the total the reporter was made with; `detail` e.g. "epoch 3 loss 0.2841".
    func update(_ done: Int, detail: String)
    /// Ends the report with a one-line summary.
    func finish(_ summary: String)
}

/// Makes a progress reporter for a label and a total number of units.
public typealias ProgressFactory = @Sendable (_ label: String, _ total: Int) -> any ProgressReporter

/// What a run trains in: its mode and seed, where its trained models are kept, where progress
/// and status lines go. A chapter's context is one; so is a command of the CLI.
public protocol TrainingEnvironment {
    var mode: RunMode { get }
    var seed: UInt64 { get }
    /// The folder of saved models (`output/models`).
    var modelDirectory: URL { get }
    /// Whether saved models are ignored (trained again and saved over).
    var retrain: Bool { get }
    var progress: ProgressFactory { get }
    func log(_ line: String)
}
