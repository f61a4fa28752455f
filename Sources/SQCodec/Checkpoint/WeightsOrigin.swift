/// Where a model's published weights come from, for the error about a directory that lacks them
/// (`ModelFamily.weightsOrigin`; the checkpoint readers know nothing else about the models).
struct WeightsOrigin: Sendable, Hashable {
    /// The codec's name as users see it ("SQCodec", "L3AC").
    var codec: String
    /// The address the weights are published at, each model under `weights/<model>.<version>/`.
    var publishedAt: String
    /// The checkpoint version of the published models ("v0", "v1").
    var version: String
}
