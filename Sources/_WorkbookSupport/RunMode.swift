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

/// The words of training's progress and summary lines ("epoch 3/20 loss 0.2841", "18 epochs, kept
/// epoch 12 (validation NDCG@10 0.3841), stopped early", "GMF: done in 3.5s"), in the run's
/// language: English by default; a chapter run of another edition sets `current` from its text files.
public struct ProgressWords: Sendable {
    public var epoch: @Sendable (_ epoch: Int, _ of: Int) -> String
    public var loss: @Sendable (_ loss: String) -> String
    public var best: @Sendable (_ value: String, _ epoch: Int) -> String
    public var epochs: @Sendable (_ count: Int) -> String
    public var kept: @Sendable (_ epoch: Int, _ metric: String, _ value: String) -> String
    public var stoppedEarly: String
    public var done: @Sendable (_ label: String, _ time: String) -> String
    /// "GMF: loaded from PATH (trained in 3.5 s)".
    public var loaded: @Sendable (_ model: String, _ path: String, _ seconds: Double) -> String = {
        "\($0): loaded from \($1) (trained in " + String(format: "%.1f s", $2) + ")"
    }
    /// "LightGCN: another run is training it; waiting" (the other chapter of `workbook all`).
    public var waiting: @Sendable (_ model: String) -> String = {
        "\($0): another run is training it; waiting for its file"
    }

    public init(
        epoch: @escaping @Sendable (Int, Int) -> String, loss: @escaping @Sendable (String) -> String,
        best: @escaping @Sendable (String, Int) -> String, epochs: @escaping @Sendable (Int) -> String,
        kept: @escaping @Sendable (Int, String, String) -> String, stoppedEarly: String,
        done: @escaping @Sendable (String, String) -> String
    ) {
        self.epoch = epoch
        self.loss = loss
        self.best = best
        self.epochs = epochs
        self.kept = kept
        self.stoppedEarly = stoppedEarly
        self.done = done
    }

    public static let english = ProgressWords(
        epoch: { "epoch \($0)/\($1)" }, loss: { " loss \($0)" }, best: { ", best \($0) at \($1)" },
        epochs: { "\($0) epochs" }, kept: { ", kept epoch \($0) (validation \($1) \($2))" },
        stoppedEarly: ", stopped early", done: { "\($0): done in \($1)" })

    private static let lock = NSLock()
    nonisolated(unsafe) private static var chosen = english
    /// The words in use (one language per process: the CLI's, or the chapter run's).
    public static var current: ProgressWords {
        get { lock.withLock { chosen } }
        set { lock.withLock { chosen = newValue } }
    }
}
