// NCF's MLP tower (He et al., "Neural Collaborative Filtering", WWW 2017).

import _WorkbookSupport
import RecKit
import TensorCore

// listing: mlp
/// Multi-Layer Perceptron over concatenated embeddings, a tower that halves at every layer:
/// embeddings of f·2^(L-1) each, concatenated to f·2^L, then L layers down to f.
public final class MLP: NCFModel {
    public let userEmbedding: Embedding  // [U, f·2^(L-1)]
    public let itemEmbedding: Embedding  // [I, f·2^(L-1)]
    public let tower: Sequential  // f·2^L -> ... -> f
    public let predict: Linear  // f -> 1

    /// The layer widths: [f·2^L, f·2^(L-1), ..., f].
    public static func pyramid(factors: Int, layers: Int) -> [Int] {
        (0...layers).map { factors << (layers - $0) }
    }

    public init(userCount: Int, itemCount: Int, factors: Int, layers: Int, dropout: Float, rng: RandomGenerator) {
        precondition(layers >= 1, "MLP needs at least one layer")
        let embeddingSize = factors * (1 << (layers - 1))
        userEmbedding = Embedding(
            count: userCount, dimension: embeddingSize, initializer: .normal(std: 0.01),
            sparse: false, rng: rng)
        itemEmbedding = Embedding(
            count: itemCount, dimension: embeddingSize, initializer: .normal(std: 0.01),
            sparse: false, rng: rng)
        var modules: [any Layer] = []
        for i in 0..<layers {
            let inputSize = factors * (1 << (layers - i))
            modules.append(Dropout(dropout, rng: rng))
            // The NCF reference's _init_weight_: Xavier-uniform weights, zero biases.
            modules.append(Linear(inputSize, inputSize / 2, weightInit: .xavierUniform, biasInit: .zeros, rng: rng))
            modules.append(Activation.relu)
        }
        tower = Sequential(modules)
        // kaiming_uniform_(a=1, nonlinearity='sigmoid') = LeCun uniform; zero bias.
        predict = Linear(factors, 1, weightInit: .lecunUniform, biasInit: .zeros, rng: rng)
        self.itemCount = itemCount
        var config = NCFConfig(mode: .standard)
        (config.factors, config.layers, config.dropout) = (factors, layers, dropout)
        self.config = config
    }

    /// The tower's output for each pair: [B, f].
    public func interaction(_ users: [Int32], _ items: [Int32]) -> Tensor {
        tower(Tensor.concat([userEmbedding(users), itemEmbedding(items)]))
    }

    public func callAsFunction(_ users: [Int32], _ items: [Int32]) -> Tensor {
        predict(interaction(users, items)).reshaped([-1])
    }
    // end listing

    public static let info = ModelInfo(
        key: "mlp", name: "MLP", chapter: 2, paper: "He et al., Neural Collaborative Filtering, WWW 2017")
    public let itemCount: Int
    public var config: NCFConfig
    public var record = TrainingRecord()

    public convenience init(userCount: Int, itemCount: Int, config: NCFConfig, rng: RandomGenerator) {
        self.init(
            userCount: userCount, itemCount: itemCount, factors: config.factors, layers: config.layers,
            dropout: config.dropout, rng: rng)
        self.config = config
    }

    public var parameters: [Tensor] {
        userEmbedding.parameters + itemEmbedding.parameters + tower.parameters + predict.parameters
    }
    public func setTraining(_ training: Bool) { tower.setTraining(training) }
}

extension MLP {
    /// The MLP's first layer split for a full ranking. The layer is linear in [p_u ; q_i], so
    /// W [p_u ; q_i] + b = (W_u p_u + b) + W_i q_i: the item half is computed once per ranking and the user half
    /// once per user, instead of both once per pair (at f = 16, three quarters of a ranking's multiply-adds).
    /// For evaluation mode only: the dropouts before the first layer are skipped.
    public struct FirstLayerSplit {
        let userWeight: Tensor  // W_u: [e, h]
        let bias: Tensor?
        let byItem: Tensor  // W_i q_i for every item: [I, h]
        let rest: Sequential  // the tower after its first Linear
    }

    /// The split of the current first layer; nil for a tower that does not start with [p_u ; q_i] -> Linear
    /// (dropouts aside).
    public func firstLayerSplit() -> FirstLayerSplit? {
        let items = itemEmbedding.table, e = items.shape[1]
        guard let k = tower.layers.firstIndex(where: { $0 is Linear }), let first = tower.layers[k] as? Linear,
            first.inputSize == 2 * e, userEmbedding.table.shape[1] == e,
            tower.layers[..<k].allSatisfy({ $0 is Dropout })
        else { return nil }
        let h = first.outputSize, w = first.weight.data
        return FirstLayerSplit(
            userWeight: Tensor(Array(w[..<(e * h)]), shape: [e, h]), bias: first.bias,
            byItem: Tensor.withoutGrad { items.matmul(Tensor(Array(w[(e * h)...]), shape: [e, h])) },
            rest: Sequential(Array(tower.layers[(k + 1)...])))
    }

    /// The tower's output for each of `users` against every item, in evaluation mode: [B·I, f], the pair (b, i)
    /// in row b·I + i.
    func interactionWithAllItems(_ users: [Int32], _ split: FirstLayerSplit) -> Tensor {
        let (n, h) = (split.byItem.shape[0], split.byItem.shape[1])
        let byUser = userEmbedding(users).matmul(split.userWeight, plus: split.bias)  // [B, h]
        let first = byUser.reshaped([users.count, 1, h]) + split.byItem.reshaped([1, n, h])  // [B, I, h]
        return split.rest(first.reshaped([users.count * n, h]))
    }

    /// Every item's score for each of `users` (a full ranking), with the first layer split as above.
    public func scores(users: [Int32]) -> [Float] {
        guard let split = firstLayerSplit() else { return scoresOfAllItems(users: users, itemCount: itemCount) }
        return inUserChunks(users, itemCount: itemCount) { predict(interactionWithAllItems($0, split)).data }
    }
}
