// A fitted model's result line: its metrics with intervals, and what its training cost.

import _WorkbookSupport
import Foundation
import RecKit

extension ResultEntry {
    /// The entry of `fitted` evaluated by `evaluation`, with 95% bootstrap intervals of
    /// `intervalsOf` (the metrics that carry per-user values).
    public init(_ fitted: FittedModel, name: String? = nil, evaluation: Evaluation, dataset: String,
                intervalsOf: [String] = ["Recall@20", "NDCG@20", "HR@10", "NDCG@10"]) {
        var intervals: [String: [Double]] = [:]
        for metric in intervalsOf {
            if let range = evaluation.interval(metric) { intervals[metric] = [range.lowerBound, range.upperBound] }
        }
        let search = fitted.search
        self.init(model: name ?? fitted.info.name, protocol: evaluation.evaluationProtocol, dataset: dataset,
                  metrics: evaluation.metrics, intervals: intervals.isEmpty ? nil : intervals,
                  trainSeconds: fitted.seconds, epochs: fitted.epochs, bestEpoch: fitted.bestEpoch,
                  epochsRun: fitted.searchEpochs, steps: fitted.steps, settings: fitted.englishSummary,
                  validationMetric: (search ?? fitted.final).validationMetric,
                  validationValue: (search ?? fitted.final).bestValue)
    }
}
