// One reported result, in the stable results.json shape (DESIGN.md): shared by the chapters'
// transcripts, `workbook evaluate --json` and the benches.

import Foundation

public struct ResultEntry: Codable, Sendable, Equatable {
    public var model: String
    public var `protocol`: String
    public var dataset: String
    public var metrics: [String: Double]
    /// 95% bootstrap intervals over users of some metrics: "Recall@20": [low, high].
    public var intervals: [String: [Double]]?
    public var trainSeconds: Double?
    /// Epochs the kept model trained for, the epoch validation chose, epochs run while searching,
    /// and optimiser steps (search and final fit together).
    public var epochs: Int?
    public var bestEpoch: Int?
    public var epochsRun: Int?
    public var steps: Int?
    /// How it was trained, in one line.
    public var settings: String?
    /// What validation measured, and its value at the kept epoch.
    public var validationMetric: String?
    public var validationValue: Double?

    public init(
        model: String, protocol: String, dataset: String, metrics: [String: Double],
        intervals: [String: [Double]]? = nil, trainSeconds: Double? = nil, epochs: Int? = nil,
        bestEpoch: Int? = nil, epochsRun: Int? = nil, steps: Int? = nil, settings: String? = nil,
        validationMetric: String? = nil, validationValue: Double? = nil
    ) {
        self.model = model
        self.protocol = `protocol`
        self.dataset = dataset
        self.metrics = metrics
        self.intervals = intervals
        self.trainSeconds = trainSeconds
        self.epochs = epochs
        self.bestEpoch = bestEpoch
        self.epochsRun = epochsRun
        self.steps = steps
        self.settings = settings
        self.validationMetric = validationMetric
        self.validationValue = validationValue
    }

    enum CodingKeys: String, CodingKey {
        case model, `protocol`, dataset, metrics, intervals, epochs, steps, settings
        case trainSeconds = "train_seconds"
        case bestEpoch = "best_epoch"
        case epochsRun = "epochs_run"
        case validationMetric = "validation_metric"
        case validationValue = "validation_value"
    }
}
