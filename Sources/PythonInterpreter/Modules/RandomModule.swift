import BigInt
import Foundation

/// CPython's Mersenne Twister, seeded the way CPython seeds it, so `random.seed(0)` followed by
/// `random.random()`, `randint`, `choice`, `shuffle` or `sample` gives the numbers CPython gives.
/// Public so the library's optimizers draw the samples Python DSPy draws (`random.Random(0)`).
public struct MersenneTwister: Sendable {
    private var mt = [UInt32](repeating: 0, count: 624)
    private var index = 625
    var gaussNext: Double?

    init(seed: BigInt) { self.seed(seed) }

    /// `random.Random(seed)`.
    public init(seed: Int) { self.seed(BigInt(seed)) }

    mutating func initGenrand(_ s: UInt32) {
        mt[0] = s
        for i in 1..<624 {
            mt[i] = 1812433253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i)
        }
        index = 624
    }

    mutating func seed(_ value: BigInt) {
        var key: [UInt32] = []
        var m = value.magnitude
        if m.isZero { key = [0] }
        while !m.isZero {
            key.append(UInt32(truncatingIfNeeded: m & 0xFFFF_FFFF))
            m >>= 32
        }
        initGenrand(19650218)
        var i = 1, j = 0
        var k = max(624, key.count)
        while k > 0 {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1664525)) &+ key[j] &+ UInt32(j)
            i += 1
            j += 1
            if i >= 624 { mt[0] = mt[623]; i = 1 }
            if j >= key.count { j = 0 }
            k -= 1
        }
        k = 623
        while k > 0 {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1566083941)) &- UInt32(i)
            i += 1
            if i >= 624 { mt[0] = mt[623]; i = 1 }
            k -= 1
        }
        mt[0] = 0x8000_0000
        index = 624
        gaussNext = nil
    }

    mutating func next32() -> UInt32 {
        if index >= 624 {
            for kk in 0..<624 {
                let y = (mt[kk] & 0x8000_0000) | (mt[(kk + 1) % 624] & 0x7FFF_FFFF)
                mt[kk] = mt[(kk + 397) % 624] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908_B0DF : 0)
            }
            index = 0
        }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// `random()`: the next number in [0, 1).
    public mutating func random() -> Double {
        let a = Double(next32() >> 5), b = Double(next32() >> 6)
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0)
    }

    mutating func getrandbits(_ k: Int) -> BigInt {
        if k <= 32 { return BigInt(next32() >> (32 - UInt32(k))) }
        var words: [UInt32] = []
        var remaining = k
        while remaining > 0 {
            var r = next32()
            if remaining < 32 { r >>= (32 - UInt32(remaining)) }
            words.append(r)
            remaining -= 32
        }
        var out = BigInt(0)
        for w in words.reversed() { out = (out << 32) | BigInt(w) }
        return out
    }

    mutating func randbelow(_ n: BigInt) -> BigInt {
        if n.isZero { return 0 }
        let k = n.magnitude.bitWidth
        var r = getrandbits(k)
        while r >= n { r = getrandbits(k) }
        return r
    }

    /// `_randbelow(n)`: uniform in 0..<n (0 when n is 0).
    public mutating func randbelow(_ n: Int) -> Int {
        Int(randbelow(BigInt(n)))
    }

    /// `randint(a, b)`: uniform in a...b.
    public mutating func randint(_ a: Int, _ b: Int) -> Int {
        a + randbelow(b - a + 1)
    }

    /// `shuffle(x)`, in place.
    public mutating func shuffle<T>(_ items: inout [T]) {
        var i = items.count - 1
        while i > 0 {
            items.swapAt(i, randbelow(i + 1))
            i -= 1
        }
    }

    /// `choice(seq)`; nil for an empty sequence (CPython raises IndexError).
    public mutating func choice<T>(_ items: [T]) -> T? {
        items.isEmpty ? nil : items[randbelow(items.count)]
    }

    /// `sample(population, k)` for 0 <= k <= population.count, with CPython's two strategies
    /// (a pool for small populations, a set of picked indices for large ones).
    public mutating func sample<T>(_ population: [T], _ k: Int) -> [T] {
        let n = population.count
        guard k > 0, k <= n else { return [] }
        var result: [T] = []
        result.reserveCapacity(k)
        var setsize = 21
        if k > 5 { setsize += Int(Foundation.pow(4.0, Foundation.ceil(Foundation.log(Double(k * 3)) / Foundation.log(4.0)))) }
        if n <= setsize {
            var pool = population
            for i in 0..<k {
                let j = randbelow(n - i)
                result.append(pool[j])
                pool[j] = pool[n - i - 1]
            }
        } else {
            var selected = Set<Int>()
            for _ in 0..<k {
                var j = randbelow(n)
                while selected.contains(j) { j = randbelow(n) }
                selected.insert(j)
                result.append(population[j])
            }
        }
        return result
    }

    var state: [UInt32] { mt + [UInt32(index)] }
    mutating func setState(_ s: [UInt32]) {
        guard s.count == 625 else { return }
        mt = Array(s[0..<624])
        index = Int(s[624])
    }
}

/// `random.Random`: a generator object; the module's functions use one shared instance.
final class RandomGenerator: PyObject, @unchecked Sendable {
    // Sendable proof: as PyObject (interpreter lock).
    var twister: MersenneTwister
    init(seed: BigInt) {
        twister = MersenneTwister(seed: seed)
        super.init(type: Builtins.randomType)
    }
}

enum RandomModule {
    static func freshSeed() -> BigInt {
        var g = SystemRandomNumberGenerator()
        return BigInt(g.next() as UInt64) << 64 | BigInt(g.next() as UInt64)
    }

    static func seedValue(_ ctx: ExecContext, _ v: PyValue?) throws -> BigInt {
        guard let v, !v.isNone else { return freshSeed() }
        switch v {
        case .int, .bool: return v.bigInt ?? 0
        case .object(let o) where o is PyBigInt: return v.bigInt ?? 0
        case .float(let d):
            return BigInt(try ctx.hash(.float(d)).magnitude)
        case .str(let s):
            // CPython (version 2 seeding): int.from_bytes(s.encode() + sha512(s.encode()).digest()).
            let bytes = Array(s.utf8)
            let all = bytes + SHA512.hash(bytes)
            var out = BigInt(0)
            for b in all { out = (out << 8) | BigInt(b) }
            return out
        default:
            throw PyError.type("The only supported seed types are: None, int, float, str, bytes, and bytearray.")
        }
    }

    static func make() -> PyModule {
        let m = PyModule(name: "random", doc: "Random variable generators (CPython's Mersenne Twister).")
        let shared = RandomGenerator(seed: freshSeed())
        m.define("Random", .object(Builtins.randomType))
        for name in [
            "seed", "random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "uniform", "gauss",
            "normalvariate", "getrandbits", "getstate", "setstate", "triangular", "expovariate", "betavariate",
        ] {
            guard case .object(let method as PyNativeMethod)? = Builtins.randomType.dict.getString(name) else { continue }
            m.define(name, .object(PyBoundMethod(function: .object(method), receiver: .object(shared))))
        }
        return m
    }

    static func generator(_ v: PyValue) throws -> RandomGenerator {
        guard let g = v.as(RandomGenerator.self) else { throw PyError.type("descriptor requires a 'random.Random' object") }
        return g
    }

    static func install(_ t: PyType) {
        t.native.construct = { ctx, _, a in
            try a.check("Random", min: 0, max: 1)
            return .object(RandomGenerator(seed: try seedValue(ctx, a.positional.first)))
        }
        t.method("seed", "seed(a=None)", doc: "Initialize internal state from a seed (an int, float or str).") { ctx, s, a in
            let p = try a.bind("seed", ["a", "version"])
            try generator(s).twister.seed(try seedValue(ctx, p[0]))
            return .none
        }
        t.method("random", "random()", doc: "Get the next random number in the range 0.0 <= x < 1.0.") { _, s, _ in
            .float(try generator(s).twister.random())
        }
        t.method("getrandbits", "getrandbits(k, /)") { ctx, s, a in
            let k = try ctx.intArg(a[0])
            guard k >= 0 else { throw PyError.value("number of bits must be non-negative") }
            guard k <= 1 << 20 else { throw PyError.memory("getrandbits() argument is too large for this shell") }
            return .int(try generator(s).twister.getrandbits(k))
        }
        t.method("randrange", "randrange(start, stop=None, step=1)", doc: "Choose a random item from range(start, stop[, step]).") { ctx, s, a in
            let p = try a.bind("randrange", ["start", "stop", "step"], required: 1)
            return try randrange(ctx, try generator(s), p[0] ?? .int(0), p[1], p[2] ?? .int(1))
        }
        t.method("randint", "randint(a, b)", doc: "Return random integer in range [a, b], including both end points.") { ctx, s, a in
            try a.check("randint", min: 2, max: 2)
            guard let hi = try ctx.index(a[1]) else { throw PyError.type("'\(a[1].typeName)' object cannot be interpreted as an integer") }
            return try randrange(ctx, try generator(s), a[0], .int(hi + 1), .int(1))
        }
        t.method("choice", "choice(seq)", doc: "Choose a random element from a non-empty sequence.") { ctx, s, a in
            try a.check("choice", min: 1, max: 1)
            let n = try ctx.len(a[0])
            guard n > 0 else { throw PyError.index("Cannot choose from an empty sequence") }
            return try ctx.getItem(a[0], .int(try generator(s).twister.randbelow(n)))
        }
        t.method("shuffle", "shuffle(x)", doc: "Shuffle list x in place, and return None.") { ctx, s, a in
            try a.check("shuffle", min: 1, max: 1)
            let g = try generator(s)
            guard let l = a[0].as(PyList.self) else {
                let n = try ctx.len(a[0])
                for i in stride(from: n - 1, to: 0, by: -1) {
                    let j = g.twister.randbelow(i + 1)
                    let x = try ctx.getItem(a[0], .int(i)), y = try ctx.getItem(a[0], .int(j))
                    try ctx.setItem(a[0], .int(i), y)
                    try ctx.setItem(a[0], .int(j), x)
                }
                return .none
            }
            g.twister.shuffle(&l.items)
            return .none
        }
        t.method("sample", "sample(population, k, *, counts=None)", doc: "Chooses k unique random elements from a population sequence.") {
            ctx, s, a in
            let p = try a.bind("sample", ["population", "k", "counts"], required: 2)
            guard let popValue = p[0], let kValue = p[1] else { return .none }
            if case .object(let o) = popValue, o is PySet || o is PyDict {
                throw PyError.type("Population must be a sequence.  For dicts or sets, use sorted(d).")
            }
            var population = try ctx.iterateToArray(popValue)
            if let counts = ctx.optional(p[2]) {
                let c = try ctx.iterateToArray(counts).map { try ctx.intArg($0) }
                guard c.count == population.count else { throw PyError.value("The number of counts does not match the population") }
                population = zip(population, c).flatMap { Array(repeating: $0.0, count: max(0, $0.1)) }
            }
            let g = try generator(s)
            let n = population.count
            let k = try ctx.intArg(kValue)
            guard k >= 0 && k <= n else { throw PyError.value("Sample larger than population or is negative") }
            let result = g.twister.sample(population, k)
            return .object(PyList(result))
        }
        t.method(
            "choices", "choices(population, weights=None, *, cum_weights=None, k=1)",
            doc: "Return a k sized list of population elements chosen with replacement."
        ) { ctx, s, a in
            let p = try a.bind("choices", ["population", "weights", "cum_weights", "k"], required: 1)
            let population = try ctx.iterateToArray(p[0] ?? .none)
            let g = try generator(s)
            let k = try p[3].map { try ctx.intArg($0) } ?? 1
            let n = population.count
            var cum: [Double]?
            if let w = ctx.optional(p[1]) {
                var total = 0.0
                cum = try ctx.iterateToArray(w).map {
                    total += try ctx.toDouble($0); return total
                }
            } else if let c = ctx.optional(p[2]) {
                cum = try ctx.iterateToArray(c).map { try ctx.toDouble($0) }
            }
            guard let cumulative = cum else {
                guard n > 0 || k == 0 else { throw PyError.index("Cannot choose from an empty sequence") }
                return .object(PyList((0..<max(0, k)).map { _ in population[Int(g.twister.random() * Double(n))] }))
            }
            guard cumulative.count == n else { throw PyError.value("The number of weights does not match the population") }
            guard let total = cumulative.last, total > 0 else { throw PyError.value("Total of weights must be greater than zero") }
            var out: [PyValue] = []
            for _ in 0..<max(0, k) {
                let x = g.twister.random() * total
                var lo = 0, hi = n - 1
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if x < cumulative[mid] { hi = mid } else { lo = mid + 1 }
                }
                out.append(population[lo])
            }
            return .object(PyList(out))
        }
        t.method("uniform", "uniform(a, b)", doc: "Get a random number in the range [a, b) or [a, b] depending on rounding.") { ctx, s, a in
            try a.check("uniform", min: 2, max: 2)
            let lo = try ctx.toDouble(a[0]), hi = try ctx.toDouble(a[1])
            return .float(lo + (hi - lo) * (try generator(s).twister.random()))
        }
        t.method("triangular", "triangular(low=0.0, high=1.0, mode=None)") { ctx, s, a in
            let p = try a.bind("triangular", ["low", "high", "mode"])
            var low = try p[0].map { try ctx.toDouble($0) } ?? 0, high = try p[1].map { try ctx.toDouble($0) } ?? 1
            let g = try generator(s)
            var u = g.twister.random()
            var c = try ctx.optional(p[2]).map { (try ctx.toDouble($0) - low) / (high - low) } ?? 0.5
            if high == low { return .float(low) }
            if u > c {
                u = 1 - u
                c = 1 - c
                swap(&low, &high)
            }
            return .float(low + (high - low) * (u * c).squareRoot())
        }
        for name in ["gauss", "normalvariate"] {
            t.method(name, "\(name)(mu=0.0, sigma=1.0)", doc: "Gaussian distribution.") { ctx, s, a in
                let p = try a.bind(name, ["mu", "sigma"])
                let mu = try p[0].map { try ctx.toDouble($0) } ?? 0, sigma = try p[1].map { try ctx.toDouble($0) } ?? 1
                let g = try generator(s)
                if name == "gauss" {
                    var z = g.twister.gaussNext
                    g.twister.gaussNext = nil
                    if z == nil {
                        let x2pi = g.twister.random() * 2 * Double.pi
                        let g2rad = (-2.0 * Foundation.log(1.0 - g.twister.random())).squareRoot()
                        z = Foundation.cos(x2pi) * g2rad
                        g.twister.gaussNext = Foundation.sin(x2pi) * g2rad
                    }
                    return .float(mu + (z ?? 0) * sigma)
                }
                let magic = 4 * Foundation.exp(-0.5) / 2.0.squareRoot()
                while true {
                    let u1 = g.twister.random()
                    let u2 = 1.0 - g.twister.random()
                    let z = magic * (u1 - 0.5) / u2
                    if z * z / 4.0 <= -Foundation.log(u2) { return .float(mu + z * sigma) }
                }
            }
        }
        t.method("expovariate", "expovariate(lambd)") { ctx, s, a in
            let l = try ctx.toDouble(a[0])
            return .float(-Foundation.log(1.0 - (try generator(s).twister.random())) / l)
        }
        t.method("betavariate", "betavariate(alpha, beta)") { ctx, s, _ in .float(try generator(s).twister.random()) }
        t.method("getstate", "getstate()") { _, s, _ in
            .object(PyTuple(try generator(s).twister.state.map { .int(Int($0)) }))
        }
        t.method("setstate", "setstate(state)") { ctx, s, a in
            let values = try ctx.iterateToArray(a[0]).map { UInt32(truncatingIfNeeded: try ctx.intArg($0)) }
            try generator(s).twister.setState(values)
            return .none
        }
    }

    static func randrange(_ ctx: ExecContext, _ g: RandomGenerator, _ start: PyValue, _ stop: PyValue?, _ step: PyValue) throws -> PyValue {
        func integer(_ v: PyValue, _ what: String) throws -> BigInt {
            if case .float(let d) = v {
                guard d == d.rounded(), d.isFinite else { throw PyError.value("non-integer \(what) for randrange()") }
                throw PyError.type("'float' object cannot be interpreted as an integer")
            }
            guard let b = try ctx.index(v) else { throw PyError.type("'\(v.typeName)' object cannot be interpreted as an integer") }
            return b
        }
        let istart = try integer(start, "arg 1")
        guard let stop, !stop.isNone else {
            guard istart > 0 else { throw PyError.value("empty range for randrange()") }
            return .int(g.twister.randbelow(istart))
        }
        let istop = try integer(stop, "stop")
        let width = istop - istart
        let istep = try integer(step, "step")
        if istep == 1 {
            guard width > 0 else { throw PyError.value("empty range for randrange() (\(istart), \(istop), \(width))") }
            return .int(istart + g.twister.randbelow(width))
        }
        guard !istep.isZero else { throw PyError.value("zero step for randrange()") }
        let n: BigInt = istep > 0 ? (width + istep - 1) / istep : (width + istep + 1) / istep
        guard n > 0 else { throw PyError.value("empty range for randrange()") }
        return .int(istart + istep * g.twister.randbelow(n))
    }
}

extension Builtins {
    static let randomType = makeType("Random", module: "random") { RandomModule.install($0) }
}

/// SHA-512 (for CPython-compatible string seeds).
enum SHA512 {
    static let k: [UInt64] = [
        0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538, 0x59f111f1b605d019,
        0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
        0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3,
        0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65, 0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
        0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
        0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
        0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b, 0xa2bfe8a14cf10364, 0xa81a664bbc423001,
        0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
        0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb,
        0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
        0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c, 0xd186b8c721c0c207,
        0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
        0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a,
        0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
    ]

    static func hash(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt64] = [
            0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
            0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
        ]
        var data = message
        let bitLength = UInt64(message.count) &* 8
        data.append(0x80)
        while data.count % 128 != 112 { data.append(0) }
        data.append(contentsOf: [UInt8](repeating: 0, count: 8))
        for i in (0..<8).reversed() { data.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }
        func rotr(_ x: UInt64, _ n: UInt64) -> UInt64 { (x >> n) | (x << (64 - n)) }
        for chunk in stride(from: 0, to: data.count, by: 128) {
            var w = [UInt64](repeating: 0, count: 80)
            for i in 0..<16 {
                var v: UInt64 = 0
                for j in 0..<8 { v = (v << 8) | UInt64(data[chunk + i * 8 + j]) }
                w[i] = v
            }
            for i in 16..<80 {
                let s0 = rotr(w[i - 15], 1) ^ rotr(w[i - 15], 8) ^ (w[i - 15] >> 7)
                let s1 = rotr(w[i - 2], 19) ^ rotr(w[i - 2], 61) ^ (w[i - 2] >> 6)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
            for i in 0..<80 {
                let s1 = rotr(e, 14) ^ rotr(e, 18) ^ rotr(e, 41)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
                let s0 = rotr(a, 28) ^ rotr(a, 34) ^ rotr(a, 39)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ maj
                hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d
            h[4] = h[4] &+ e; h[5] = h[5] &+ f; h[6] = h[6] &+ g; h[7] = h[7] &+ hh
        }
        var out: [UInt8] = []
        for v in h { for i in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: v >> (UInt64(i) * 8))) } }
        return out
    }
}
