// Chapter 4: autoencoders for recommendation: AutoRec, CDAE, Mult-VAE.

import DataFetch
import Foundation
import Models
import Narrative
import Plotting
import RecKit
import TensorCore

public enum AutoencodersChapter: Chapter {
    public static let number = 4
    public static let slug = "autoencoders"
    public static let title = "Autoencoders: AutoRec, denoising (CDAE) and Mult-VAE"
    public static let summary = "Compress and reconstruct: I-AutoRec RMSE, CDAE corruption, Mult-VAE with KL annealing"

    struct Plan {
        /// I-AutoRec's hidden sizes to sweep.
        var hiddenSizes: [Int]
        static func of(_ mode: RunMode) -> Plan {
            switch mode {
            case .quick: return Plan(hiddenSizes: [100, 500])
            case .standard: return Plan(hiddenSizes: [50, 200, 500])
            case .full: return Plan(hiddenSizes: [50, 100, 200, 500, 1000])
            }
        }
    }

    static func f4(_ x: Double) -> String { String(format: "%.4f", x) }

    /// Where the autoencoders live (Sources/Models/Autoencoders).
    static func source(_ file: String) -> String { ModelsSource.file("Autoencoders/" + file) }

    public static func run(_ context: ChapterContext) throws {
        let say = context.narrator
        let plan = Plan.of(context.options.mode)
        let text = context.text
        say.heading(context.chapterHeading, level: 1)
        say.prose(text("intro"))
        guard
            let data = try context.optionalData(
                "MovieLens-100K",
                { try MovieLens.ml100k(context.options) { say.status($0) } })
        else {
            return
        }
        try autoRec(context, data: data, plan: plan)
        try cdae(context, data: data, plan: plan)
        try multVAE(context, data: data, plan: plan)
        say.heading(text("summary.heading"))
        say.bullets([
            text("summary.1"),
            text("summary.2") + " " + denoisingVerdict(context),
            text("summary.3") + " " + vaeVersusDAE(context),
        ])
    }

    /// What this run's corruption sweep says about denoising, as a sentence: the summary follows the numbers.
    static func denoisingVerdict(_ context: ChapterContext) -> String {
        let values = context.recorded.values
        let sweep = ["0.0", "0.2", "0.3", "0.5", "0.8"].compactMap { q in
            values["cdae_q\(q)_validation_NDCG@20"].map { (q: q, ndcg: $0) }
        }
        guard let best = sweep.max(by: { $0.ndcg < $1.ndcg }), let clean = sweep.first(where: { $0.q == "0.0" })
        else { return "" }
        let (b, c) = (String(format: "%.4f", best.ndcg), String(format: "%.4f", clean.ndcg))
        if best.q == "0.0" { return context.text("summary.denoising.none", ["clean": c]) }
        let id = best.ndcg - clean.ndcg < 0.005 ? "summary.denoising.noise" : "summary.denoising.gain"
        return context.text(id, ["q": best.q, "best": b, "clean": c])
    }

    /// The paired comparison of Mult-VAE and Mult-DAE on this run's test users, as a sentence.
    static func vaeVersusDAE(_ context: ChapterContext) -> String {
        let d = context.recorded.values["multvae_minus_multdae_Recall@20"]
        return d.map { context.text("summary.vae-dae", ["difference": String(format: "%+.4f", $0)]) } ?? ""
    }

    public static let exercises: [Exercise] = [
        Exercise(
            id: "4.1", title: "A masked MSE",
            prompt: """
                Predictions [4, 2, 5, 1], ratings [5, 0, 3, 0], mask [1, 0, 1, 0]. The document's masked MSE, \
                sum(mask · (r̂ - r)²) / sum(mask)?
                """,
            hint: "only the two observed entries count: (4-5)² and (5-3)²",
            answerIn: "Chapter4Exercises.maskedMSE()",
            why: ["masked": "(1 + 4) / 2: unobserved entries are neither errors nor part of the count."],
            checkAnswer: { checkMasked(Chapter4Exercises.maskedMSE()) },
            checkReference: { checkMasked(Chapter4Solutions.maskedMSE()) }),
        Exercise(
            id: "4.2", title: "The reparameterisation trick's gradient",
            prompt: """
                z = μ + ε·exp(logvar / 2) with μ = 0.3, logvar = -1, ε = 0.5 (drawn, then held fixed). \
                dz/d(logvar)?
                """,
            hint: "differentiate exp(logvar / 2): the derivative is exp(logvar / 2) / 2",
            answerIn: "Chapter4Exercises.reparameterisationGradient()",
            why: [
                "noise": """
                    ε · exp(logvar/2) / 2 = 0.5 · e^-0.5 / 2: the noise is an input, so gradients flow to μ and \
                    logvar.
                    """
            ],
            checkAnswer: { checkReparam(Chapter4Exercises.reparameterisationGradient()) },
            checkReference: { checkReparam(Chapter4Solutions.reparameterisationGradient()) }),
        Exercise(
            id: "4.3", title: "A KL term",
            prompt: """
                μ = [0.5, -1], logvar = [0, -0.5]. KL(N(μ, exp(logvar)) || N(0, I)) = -1/2 Σ (1 + logvar - μ² - \
                exp(logvar))?
                """,
            hint: "sum over both dimensions",
            answerIn: "Chapter4Exercises.klTerm()", why: ["kl": "-1/2 [(1 + 0 - 0.25 - 1) + (1 - 0.5 - 1 - e^-0.5)]."],
            checkAnswer: { checkKL(Chapter4Exercises.klTerm()) },
            checkReference: { checkKL(Chapter4Solutions.klTerm()) }),
        Exercise(
            id: "4.4", title: "The annealing schedule",
            prompt: "Write beta(step:total:): β rises linearly from 0 to 0.2 over `total` steps, then stays at 0.2.",
            hint: "min(0.2, 0.2 · step / total)",
            answerIn: "Chapter4Exercises.beta(step:total:)", why: ["case": "step {{step}} of {{total}}"],
            checkAnswer: { checkBeta(Chapter4Exercises.beta) }, checkReference: { checkBeta(Chapter4Solutions.beta) }),
        Exercise(
            id: "4.5", title: "Write Mult-VAE's KL term",
            prompt: """
                Write the KL term of Mult-VAE's loss as a tensor function of the encoder's mean and log-variance \
                ([B, K] each): -½ Σ_k (1 + logvar - μ² - exp(logvar)), summed over the code's K dimensions and \
                averaged over the B users. The check runs it on seeded codes and compares its value and both \
                gradients with the book's fused Loss.gaussianKL.
                """,
            hint: "build the [B, K] tensor of terms with + - * and exp(), sum() it, then scale by -0.5 / B",
            answerIn: "Chapter4Exercises.gaussianKL(mean:logVariance:)",
            checkAnswer: { checkKLFunction(Chapter4Exercises.gaussianKL) },
            checkReference: { checkKLFunction(Chapter4Solutions.gaussianKL) }),
    ]

    /// A learner's KL term against Loss.gaussianKL: the same value and gradients on seeded codes.
    static func checkKLFunction(_ f: @escaping (Tensor, Tensor) -> Tensor?) -> ExerciseVerdict {
        let probe = Tensor([0], shape: [1, 1])
        guard f(probe, probe) != nil else { return .untouched }
        return TensorExercise.check(
            { f($0[0], $0[1]) ?? Tensor(scalar: .nan) },
            reference: { Loss.gaussianKL(mean: $0[0], logVariance: $0[1]) }, shapes: [[8, 5], [8, 5]],
            names: ["the mean", "the log-variance"])
    }

    static func checkMasked(_ answer: Double?) -> ExerciseVerdict {
        let expected = Double(
            Loss.maskedMSE(Tensor([4, 2, 5, 1]), Tensor([5, 0, 3, 0]), mask: Tensor([1, 0, 1, 0])).item)
        return Check.number(
            answer, expected: expected, tolerance: 1e-6,
            explain: Explanation("masked"))
    }

    static func checkReparam(_ answer: Double?) -> ExerciseVerdict {
        let mu = Tensor([0.3], requiresGrad: true), logvar = Tensor([-1], requiresGrad: true)
        (mu + Tensor([0.5]) * (logvar * 0.5).exp()).sum().backward()
        return Check.number(
            answer, expected: Double(logvar.grad?[0] ?? .nan), tolerance: 1e-4,
            explain: Explanation("noise"))
    }

    static func checkKL(_ answer: Double?) -> ExerciseVerdict {
        let expected = Double(
            Loss.gaussianKL(mean: Tensor([0.5, -1], shape: [1, 2]), logVariance: Tensor([0, -0.5], shape: [1, 2])).item)
        return Check.number(
            answer, expected: expected, tolerance: 1e-4, explain: Explanation("kl"))
    }

    static func checkBeta(_ answer: (Int, Int) -> Double?) -> ExerciseVerdict {
        Check.function(
            cases: [(0, 400), (100, 400), (400, 400), (1000, 400), (7, 10)], answer: { answer($0.0, $0.1) },
            reference: { MultVAE.beta(step: $0.0, total: $0.1) }, matches: { abs($0 - $1) < 1e-9 },
            describe: { Explanation("case", ["step": $0.0, "total": $0.1]) })
    }
}
