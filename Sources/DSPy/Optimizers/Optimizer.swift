import Foundation
import Logging
import PythonInterpreter

/// Compiles a program into a better one from training examples (DSPy's `Teleprompter`).
/// The student is never changed: `compile` returns a new program.
public protocol Optimizer: Sendable {
    func compile(_ student: any Module, trainset: [Example]) async throws -> any Module
}

/// Why an optimizer could not compile, worded after DSPy's assertions.
public enum OptimizerError: Error, CustomStringConvertible, Sendable {
    case studentCompiled
    case predictorCountMismatch(student: Int, teacher: Int)
    case structureMismatch(student: String, teacher: String)
    case signatureMismatch(String)
    case sharedPredictor(String)
    case noLM
    case restrictMatchesNothing([Int], candidates: Int)

    public var description: String {
        switch self {
        case .studentCompiled: return "Student must be uncompiled: compile the original program, not one an optimizer returned."
        case .predictorCountMismatch(let s, let t): return "Student and teacher must have the same number of predictors (student \(s), teacher \(t))."
        case .structureMismatch(let s, let t):
            return "Student and teacher must have the same program structure: predictor '\(s)' in the student is '\(t)' in the teacher."
        case .signatureMismatch(let name): return "Student and teacher must have the same signatures: predictor '\(name)' differs."
        case .sharedPredictor(let name): return "Student and teacher must be different objects: predictor '\(name)' is shared."
        case .noLM: return ModuleError.noLM.description
        case .restrictMatchesNothing(let r, let n):
            return "`restrict` \(r) does not match any candidate seed in range(-3, \(n)); no candidate programs would be evaluated."
        }
    }
}

/// Where optimizers write the progress lines DSPy prints (`Bootstrapped 2 full traces ...`).
public struct OptimizerReport: Sendable {
    public let write: @Sendable (String) -> Void
    public init(_ write: @escaping @Sendable (String) -> Void) { self.write = write }
    /// Standard output, as DSPy prints them.
    public static let standardOutput = OptimizerReport { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
    /// Nowhere.
    public static let silent = OptimizerReport { _ in }
}

/// Demos taken straight from the training set (DSPy's `LabeledFewShot`): each predictor gets
/// `k` examples, a seeded random sample (Python's `random.Random(0)`, so the same examples as
/// Python DSPy) or the first `k`.
public struct LabeledFewShot: Optimizer {
    public var k: Int
    public var sample: Bool

    public init(k: Int = 16, sample: Bool = true) {
        self.k = k
        self.sample = sample
    }

    public func compile(_ student: any Module, trainset: [Example]) async throws -> any Module {
        let program = try await student.resetCopy()
        guard !trainset.isEmpty else { return program }
        var rng = MersenneTwister(seed: 0)
        let count = min(max(0, k), trainset.count)
        for (_, predictor) in program.namedPredictors {
            predictor.demos = sample ? rng.sample(trainset, count) : Array(trainset.prefix(count))
        }
        return program
    }
}

extension Value {
    /// Python's truth value, for metric results.
    var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        }
    }
}
