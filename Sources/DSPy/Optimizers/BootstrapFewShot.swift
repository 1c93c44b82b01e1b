import Crypto
import Foundation
import Logging
import OrderedCollections
import PythonInterpreter
import Synchronization

/// Demos from the program's own successful runs (DSPy's `BootstrapFewShot`).
///
/// A teacher (the student itself unless given, with `maxLabeledDemos` labeled demos) runs on
/// each training example in turn with tracing on; when the metric accepts the prediction, every
/// predictor call of that run becomes an `augmented` demo of the predictor that made it. Each
/// student predictor then gets up to `maxBootstrappedDemos` of those, topped up to
/// `maxLabeledDemos` with training examples that were not bootstrapped. Rounds after the first
/// use a copy of the LM with `rollout_id` and temperature 1.0 (a fresh sample past the cache).
public struct BootstrapFewShot: Optimizer {
    public var metric: Metric?
    /// A numeric metric passes at or above this; `nil` takes the metric's truth value.
    public var metricThreshold: Double?
    /// Settings for the teacher's runs (`["lm": bigger]`).
    public var teacherSettings: [String: any Sendable]
    public var maxBootstrappedDemos: Int
    public var maxLabeledDemos: Int
    public var maxRounds: Int
    /// Failed runs that stop the compile; `nil` reads `max_errors` at compile time.
    public var maxErrors: Int?
    public var report: OptimizerReport

    static let logger = Logger(label: "dspy.teleprompt.bootstrap")

    public init(
        metric: Metric? = nil, metricThreshold: Double? = nil, teacherSettings: [String: any Sendable] = [:],
        maxBootstrappedDemos: Int = 4, maxLabeledDemos: Int = 16, maxRounds: Int = 1, maxErrors: Int? = nil,
        report: OptimizerReport = .standardOutput
    ) {
        self.metric = metric
        self.metricThreshold = metricThreshold
        self.teacherSettings = teacherSettings
        self.maxBootstrappedDemos = maxBootstrappedDemos
        self.maxLabeledDemos = maxLabeledDemos
        self.maxRounds = maxRounds
        self.maxErrors = maxErrors
        self.report = report
    }

    public func compile(_ student: any Module, trainset: [Example]) async throws -> any Module {
        try await compile(student, teacher: nil, trainset: trainset)
    }

    public func compile(_ student: any Module, teacher: (any Module)?, trainset: [Example]) async throws -> any Module {
        guard !student.isCompiled else { throw OptimizerError.studentCompiled }
        let program = try await student.resetCopy()
        var mentor = try await (teacher ?? student).deepCopy()
        if maxLabeledDemos > 0 && !mentor.isCompiled {
            mentor = try await LabeledFewShot(k: maxLabeledDemos).compile(try await mentor.resetCopy(), trainset: trainset)
        }
        let names = try predictorNames(student: program, teacher: mentor)
        let (traces, validation) = try await bootstrap(teacher: mentor, names: names, trainset: trainset)

        var rng = MersenneTwister(seed: 0)
        for (name, predictor) in program.namedPredictors {
            let augmented = Array((traces[name] ?? []).prefix(max(0, maxBootstrappedDemos)))
            let size = max(0, min(maxLabeledDemos - augmented.count, validation.count))
            predictor.demos = augmented + rng.sample(validation, size)
        }
        program.isCompiled = true
        return program
    }

    /// The teacher's predictors by identity, named as the student's (same structure required).
    func predictorNames(student: any Module, teacher: any Module) throws -> [ObjectIdentifier: String] {
        let s = student.namedPredictors, t = teacher.namedPredictors
        guard s.count == t.count else { throw OptimizerError.predictorCountMismatch(student: s.count, teacher: t.count) }
        var names: [ObjectIdentifier: String] = [:]
        for ((sName, sPredictor), (tName, tPredictor)) in zip(s, t) {
            guard sName == tName else { throw OptimizerError.structureMismatch(student: sName, teacher: tName) }
            guard sPredictor.signature.fields.map(\.name) == tPredictor.signature.fields.map(\.name),
                sPredictor.signature.instructions == tPredictor.signature.instructions
            else {
                throw OptimizerError.signatureMismatch(sName)
            }
            guard sPredictor !== tPredictor else { throw OptimizerError.sharedPredictor(sName) }
            names[ObjectIdentifier(tPredictor)] = tName
        }
        return names
    }

    /// Runs the teacher over the training set until enough examples bootstrapped; returns the
    /// demos per predictor name and the examples left for labeled demos (shuffled as DSPy does).
    func bootstrap(teacher: any Module, names: [ObjectIdentifier: String], trainset: [Example]) async throws
        -> (traces: [String: [Example]], validation: [Example])
    {
        var traces: [String: [Example]] = [:]
        var bootstrapped = Set<Int>()
        var attempts = 0
        var errors = 0
        var lastIndex = 0
        for (index, example) in trainset.enumerated() {
            lastIndex = index
            if bootstrapped.count >= maxBootstrappedDemos { break }
            for round in 0..<max(0, maxRounds) {
                try Task.checkCancellation()
                attempts += 1
                if let demos = try await bootstrapOne(example, round: round, teacher: teacher, names: names, errors: &errors) {
                    bootstrapped.insert(index)
                    for (name, list) in demos { traces[name, default: []].append(contentsOf: list) }
                    break
                }
            }
        }
        report.write(
            "Bootstrapped \(bootstrapped.count) full traces after \(lastIndex) examples for up to \(maxRounds) rounds, amounting to \(attempts) attempts."
        )
        var validation = trainset.enumerated().filter { !bootstrapped.contains($0.offset) }.map(\.element)
        var rng = MersenneTwister(seed: 0)
        rng.shuffle(&validation)
        return (traces, validation)
    }

    /// One traced teacher run; the demos per predictor when the metric accepts it, else nil.
    func bootstrapOne(
        _ example: Example, round: Int, teacher: any Module, names: [ObjectIdentifier: String],
        errors: inout Int
    ) async throws -> [String: [Example]]? {
        let trace = Trace()
        var scope = teacherSettings
        scope["trace"] = trace
        let accepted: Bool
        do {
            accepted = try await Settings.current.withOverrides(scope) { () async throws -> Bool in
                let settings = Settings.current
                var roundScope: [String: any Sendable] = [:]
                if round > 0 {
                    guard let lm = settings.lm else { throw OptimizerError.noLM }
                    roundScope["lm"] = lm.copy(temperature: 1.0, parameters: ["rollout_id": .int(round)])
                }
                let prediction = try await settings.withOverrides(roundScope) { () async throws -> Prediction in
                    // The example itself is not its own demo.
                    let saved = teacher.namedPredictors.map { ($0.predictor, $0.predictor.demos) }
                    for (p, demos) in saved { p.demos = demos.filter { $0.values != example.values } }
                    defer { for (p, demos) in saved { p.demos = demos } }
                    return try await teacher.call(try example.inputs().values)
                }
                guard let metric else { return true }
                let value = try await metric(example, prediction, trace: trace.entries)
                if let metricThreshold { return try Metric.number(value) >= metricThreshold }
                return value.isTruthy
            }
        } catch let error where !(error is CancellationError) && !Task.isCancelled {
            // A spent token budget refuses every later call too: stop the compile here.
            if error is TokenBudgetExceeded { throw error }
            errors += 1
            if errors >= (maxErrors ?? Settings.current.maxErrors) { throw error }
            Self.logger.error("\(LogText.oneLine("Failed to run or to evaluate example \(example) with \(metric?.name ?? "None") due to \(error)."))")
            return nil
        }
        guard accepted else { return nil }
        var demos: [String: [Example]] = [:]
        for step in trace.entries {
            guard let name = names[ObjectIdentifier(step.predictor)] else { continue }
            var values: OrderedDictionary<String, Value> = ["augmented": .bool(true)]
            for (k, v) in step.inputs { values[k] = v }
            for (k, v) in step.prediction.values { values[k] = v }
            demos[name, default: []].append(Example(values))
        }
        // A predictor called more than once in the run keeps one demo: the last call's or, half
        // of the time, one of the earlier calls' (as DSPy picks; the seed is our own hash).
        for (name, list) in demos where list.count > 1 {
            var rng = MersenneTwister(seed: Self.seed(for: list))
            demos[name] = [rng.random() < 0.5 ? (rng.choice(Array(list.dropLast())) ?? list[list.count - 1]) : list[list.count - 1]]
        }
        return demos
    }

    static func seed(for demos: [Example]) -> Int {
        let text = demos.map { JSON.compact(.object($0.values)) }.joined(separator: "\n")
        let digest = SHA256.hash(data: Data(text.utf8))
        return digest.prefix(7).reduce(0) { $0 << 8 | Int($1) }
    }
}

/// BootstrapFewShot over many candidate demo sets, each scored on a validation set, the best
/// kept (DSPy's `BootstrapFewShotWithRandomSearch`). Candidates are, by seed: -3 zero-shot,
/// -2 labeled demos only, -1 bootstrapped in training-set order, and 0..<n bootstrapped from a
/// shuffled training set with a random number of demos (Python's `random.Random(seed)`).
public struct BootstrapFewShotWithRandomSearch: Optimizer {
    public var metric: Metric
    public var teacherSettings: [String: any Sendable]
    public var maxBootstrappedDemos: Int
    public var maxLabeledDemos: Int
    public var maxRounds: Int
    public var numCandidatePrograms: Int
    /// Parallel evaluations of each candidate; `nil` reads `num_threads`.
    public var numThreads: Int?
    public var maxErrors: Int?
    /// Stop once a candidate scores at least this.
    public var stopAtScore: Double?
    public var metricThreshold: Double?
    public var displayProgress: Bool
    public var report: OptimizerReport

    public init(
        metric: Metric, teacherSettings: [String: any Sendable] = [:], maxBootstrappedDemos: Int = 4, maxLabeledDemos: Int = 16,
        maxRounds: Int = 1, numCandidatePrograms: Int = 16, numThreads: Int? = nil, maxErrors: Int? = nil,
        stopAtScore: Double? = nil, metricThreshold: Double? = nil, displayProgress: Bool = true,
        report: OptimizerReport = .standardOutput
    ) {
        self.metric = metric
        self.teacherSettings = teacherSettings
        self.maxBootstrappedDemos = maxBootstrappedDemos
        self.maxLabeledDemos = maxLabeledDemos
        self.maxRounds = maxRounds
        self.numCandidatePrograms = numCandidatePrograms
        self.numThreads = numThreads
        self.maxErrors = maxErrors
        self.stopAtScore = stopAtScore
        self.metricThreshold = metricThreshold
        self.displayProgress = displayProgress
        self.report = report
        report.write("Going to sample between 1 and \(maxBootstrappedDemos) traces per predictor.")
        report.write("Will attempt to bootstrap \(numCandidatePrograms) candidate sets.")
    }

    /// One evaluated candidate.
    public struct Candidate: Sendable {
        public let score: Double
        public let subscores: [Value]
        public let seed: Int
        public let program: any Module
    }

    /// The best program and every candidate, best first (ties keep their seed order).
    public struct Outcome: Sendable {
        public let best: any Module
        public let candidates: [Candidate]
    }

    public func compile(_ student: any Module, trainset: [Example]) async throws -> any Module {
        try await search(student, trainset: trainset).best
    }

    public func search(
        _ student: any Module, teacher: (any Module)? = nil, trainset: [Example], valset: [Example]? = nil,
        restrict: [Int]? = nil, labeledSample: Bool = true
    ) async throws -> Outcome {
        let valset = (valset?.isEmpty ?? true) ? trainset : valset ?? trainset
        if let restrict, Set(restrict).isDisjoint(with: -3..<numCandidatePrograms) {
            throw OptimizerError.restrictMatchesNothing(restrict, candidates: numCandidatePrograms)
        }
        let maxErrors = self.maxErrors ?? Settings.current.maxErrors
        var candidates: [Candidate] = []
        var best: (score: Double, program: any Module)?
        for seed in -3..<numCandidatePrograms {
            if let restrict, !restrict.contains(seed) { continue }
            try Task.checkCancellation()
            var trainCopy = trainset
            let program: any Module
            func bootstrapper(_ demos: Int) -> BootstrapFewShot {
                BootstrapFewShot(
                    metric: metric, metricThreshold: metricThreshold, teacherSettings: teacherSettings,
                    maxBootstrappedDemos: demos, maxLabeledDemos: maxLabeledDemos, maxRounds: maxRounds,
                    maxErrors: maxErrors, report: report)
            }
            switch seed {
            case -3: program = try await student.resetCopy()
            case -2: program = try await LabeledFewShot(k: maxLabeledDemos, sample: labeledSample).compile(student, trainset: trainCopy)
            case -1: program = try await bootstrapper(maxBootstrappedDemos).compile(student, teacher: teacher, trainset: trainCopy)
            default:
                var shuffler = MersenneTwister(seed: seed)
                shuffler.shuffle(&trainCopy)
                var sizer = MersenneTwister(seed: seed)
                let size = sizer.randint(1, max(1, maxBootstrappedDemos))
                program = try await bootstrapper(size).compile(student, teacher: teacher, trainset: trainCopy)
            }
            let evaluate = Evaluate(
                devset: valset, metric: metric, numThreads: numThreads, displayProgress: displayProgress,
                maxErrors: maxErrors)
            let result = try await evaluate(program)
            if best.map({ result.score > $0.score }) ?? true {
                report.write("New best score: \(PythonFloat.repr(result.score)) for seed \(seed)")
                best = (result.score, program)
            }
            candidates.append(Candidate(score: result.score, subscores: result.items.map(\.score), seed: seed, program: program))
            report.write("Scores so far: [\(candidates.map { PythonFloat.repr($0.score) }.joined(separator: ", "))]")
            report.write("Best score so far: \(PythonFloat.repr(candidates.map(\.score).max() ?? 0))")
            if let stopAtScore, result.score >= stopAtScore {
                report.write("Stopping early because score \(PythonFloat.repr(result.score)) is >= stop_at_score \(PythonFloat.repr(stopAtScore))")
                break
            }
        }
        guard let winner = best else { throw OptimizerError.restrictMatchesNothing(restrict ?? [], candidates: numCandidatePrograms) }
        let ranked = candidates.enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
        report.write("\(ranked.count) candidate programs found.")
        return Outcome(best: winner.program, candidates: ranked)
    }
}
