/// SplitMix64: the deterministic generator behind the PCT scheduler, the unguided baseline
/// (`faultsync random`) and the property tests.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    /// An independent stream per seed: the state is the seed hashed through SplitMix64's output
    /// function, so streams of different seeds are not shifts of one another (seeding with
    /// `seed * gamma` made seed 3 the stream of seed 1 two draws later).
    public init(stream seed: UInt64) { state = SplitMix64.mix(seed ^ 0x6A09_E667_F3BC_C909) }
    @inline(__always) public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
