import Foundation
import Logging
import OrderedCollections

/// Instruction search (DSPy's `COPRO`): an LM proposes `breadth` instructions (and output
/// prefixes) for each predictor, every proposal is scored with ``Evaluate`` on the training
/// set, and for `depth - 1` more rounds the LM proposes again from the attempts so far, ranked by
/// score. Each predictor keeps its best proposal; the best program is returned with every
/// candidate.
///
/// The proposer's prompts are DSPy's (`BasicGenerateInstruction` and
/// `GenerateInstructionGivenAttempts`), so the same LM sees the same requests as from Python.
public struct COPRO: Optimizer {
    public var metric: Metric
    /// The LM that proposes instructions; `nil` uses the configured one.
    public var promptModel: LM?
    /// Proposals per round (more than 1).
    public var breadth: Int
    /// Rounds of proposals.
    public var depth: Int
    public var initTemperature: Double
    /// Items in flight when scoring a proposal; `nil` reads `num_threads`.
    public var numThreads: Int?
    public var displayProgress: Bool

    static let logger = Logger(label: "dspy.teleprompt.copro_optimizer")

    public init(
        metric: Metric, promptModel: LM? = nil, breadth: Int = 10, depth: Int = 3, initTemperature: Double = 1.4,
        numThreads: Int? = nil, displayProgress: Bool = false
    ) throws {
        guard breadth > 1 else { throw COPROError.breadth }
        self.metric = metric
        self.promptModel = promptModel
        self.breadth = breadth
        self.depth = depth
        self.initTemperature = initTemperature
        self.numThreads = numThreads
        self.displayProgress = displayProgress
    }

    /// One scored proposal for one predictor.
    public struct Candidate: Sendable {
        public let score: Double
        public let program: any Module
        public let instruction: String
        public let prefix: String
        /// The round (0-based) that scored it.
        public let depth: Int
    }

    /// The best program, every distinct candidate best first, and how many evaluations ran.
    public struct Outcome: Sendable {
        public let best: any Module
        public let candidates: [Candidate]
        public let totalCalls: Int
    }

    /// DSPy's `BasicGenerateInstruction`.
    static func basicGenerateInstruction() throws -> Signature {
        try Signature(
            inputs: [.input("basic_instruction", description: "The initial instructions before optimization")],
            outputs: [
                .output("proposed_instruction", description: "The improved instructions for the language model"),
                .output(
                    "proposed_prefix_for_output_field",
                    description: "The string at the end of the prompt, which will help the model start solving the task"),
            ],
            instructions:
                "You are an instruction optimizer for large language models. I will give you a ``signature`` of fields (inputs and outputs) in English. Your task is to propose an instruction that will lead a good language model to perform the task well. Don't be afraid to be creative."
        )
    }

    /// DSPy's `GenerateInstructionGivenAttempts`.
    static func generateInstructionGivenAttempts() throws -> Signature {
        try Signature(
            inputs: [.input("attempted_instructions")],
            outputs: [
                .output("proposed_instruction", description: "The improved instructions for the language model"),
                .output(
                    "proposed_prefix_for_output_field",
                    description: "The string at the end of the prompt, which will help the model start solving the task"),
            ],
            instructions: """
                You are an instruction optimizer for large language models. I will give some task instructions I've tried, along with their corresponding validation scores. The instructions are arranged in increasing order based on their scores, where higher scores indicate better quality.

                Your task is to propose a new instruction that will lead a good language model to perform the task even better. Don't be afraid to be creative.
                """)
    }

    public func compile(_ student: any Module, trainset: [Example]) async throws -> any Module {
        try await search(student, trainset: trainset).best
    }

    /// Proposals as (instruction, prefix) pairs, in completion order.
    typealias Proposals = [(instruction: String, prefix: String)]

    func propose(_ signature: Signature, n: Int, inputs: Inputs) async throws -> Proposals {
        let predict = Predict(signature, n: n, temperature: initTemperature)
        let prediction: Prediction
        if let promptModel {
            prediction = try await Settings.current.withOverrides(["lm": promptModel]) { try await predict.call(inputs) }
        } else {
            prediction = try await predict.call(inputs)
        }
        return prediction.completions.items.map { c in
            (c["proposed_instruction"]?.stringValue ?? "", c["proposed_prefix_for_output_field"]?.stringValue ?? "")
        }
    }

    /// Python's `s.strip('"').strip()`.
    static func cleaned(_ s: String) -> String {
        var t = Substring(s)
        while t.first == "\"" { t.removeFirst() }
        while t.last == "\"" { t.removeLast() }
        return String(t).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func search(_ student: any Module, trainset: [Example]) async throws -> Outcome {
        let module = try await student.deepCopy()
        let evaluate = Evaluate(devset: trainset, metric: metric, numThreads: numThreads, displayProgress: displayProgress)
        let predictors = module.namedPredictors.map(\.predictor)
        var totalCalls = 0

        // Round 0: breadth - 1 proposals from the current instruction, plus the instruction itself.
        var all: [Proposals] = []
        for p in predictors {
            let sig = p.signature
            let lastPrefix = sig.fields.last?.prefix ?? ""
            var proposals = try await propose(
                try COPRO.basicGenerateInstruction(), n: breadth - 1,
                inputs: ["basic_instruction": .string(sig.instructions)])
            proposals.append((sig.instructions, lastPrefix))
            all.append(proposals)
        }
        var latest = all
        let clone = try await module.deepCopy()
        let clonePredictors = clone.namedPredictors.map(\.predictor)
        // Scored candidates per predictor, keyed by (instruction, prefix) in first-seen order.
        var evaluated: [OrderedDictionary<String, Candidate>] = Array(repeating: [:], count: predictors.count)

        func withProposal(_ sig: Signature, _ instruction: String, _ prefix: String) throws -> Signature {
            let s = sig.withInstructions(instruction)
            guard let last = s.fields.last else { return s }
            return try s.withUpdatedField(last.name, prefix: prefix)
        }

        for d in 0..<max(0, depth) {
            COPRO.logger.info("Iteration Depth: \(d + 1)/\(depth).")
            var latestScores: [Double] = []
            for (i, pNew) in clonePredictors.enumerated() where i < predictors.count {
                let proposals = predictors.count > 1 ? all[i] : latest[i]
                for (c, proposal) in proposals.enumerated() {
                    try Task.checkCancellation()
                    let instruction = COPRO.cleaned(proposal.instruction), prefix = COPRO.cleaned(proposal.prefix)
                    pNew.signature = try withProposal(pNew.signature, instruction, prefix)
                    COPRO.logger.info(
                        "At Depth \(d + 1)/\(depth), Evaluating Prompt Candidate #\(c + 1)/\(proposals.count) for Predictor \(i + 1) of \(predictors.count)."
                    )
                    let score = try await evaluate(clone).score
                    totalCalls += 1
                    let key = instruction + "\u{0}" + prefix
                    if evaluated[i][key].map({ $0.score < score }) ?? true {
                        let snapshot = try await clone.deepCopy()
                        evaluated[i][key] = Candidate(score: score, program: snapshot, instruction: instruction, prefix: prefix, depth: d)
                    }
                    if proposals.count - breadth <= c { latestScores.append(score) }
                }
                // The predictor takes its best proposal before the next one is scored.
                // Python's max(): the first of the best.
                var best: Candidate?
                for c in evaluated[i].values where best.map({ c.score > $0.score }) ?? true { best = c }
                if let best { pNew.signature = try withProposal(pNew.signature, best.instruction, best.prefix) }
            }
            if d == depth - 1 { break }

            var next: [Proposals] = []
            for i in predictors.indices {
                let ranked = stableSortedByScore(Array(evaluated[i].values))
                let shown = min(evaluated[i].count, breadth)
                var attempts: [Value] = []
                for k in stride(from: shown - 1, through: 0, by: -1) {
                    attempts.append(.string("Instruction #\(shown - k): \(ranked[k].instruction)"))
                    attempts.append(.string("Prefix #\(shown - k): \(ranked[k].prefix)"))
                    attempts.append(.string("Resulting Score #\(shown - k): \(PythonFloat.repr(ranked[k].score))"))
                }
                let proposals = try await propose(
                    try COPRO.generateInstructionGivenAttempts(), n: breadth,
                    inputs: ["attempted_instructions": .array(attempts)])
                next.append(proposals)
                all[i].append(contentsOf: proposals)
            }
            latest = next
        }

        var candidates = stableSortedByScore(evaluated.flatMap { Array($0.values) })
        candidates = dropDuplicates(candidates)
        guard let best = candidates.first else { throw COPROError.noCandidates }
        return Outcome(best: best.program, candidates: candidates, totalCalls: totalCalls)
    }

    /// Python's `sorted(key=score, reverse=True)`: best first, ties in their original order.
    func stableSortedByScore(_ items: [Candidate]) -> [Candidate] {
        items.enumerated().sorted { a, b in a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset }
            .map(\.element)
    }

    /// DSPy's `_drop_duplicates`: among candidates of equal score, one whose programs have the
    /// same instructions and the same last field is dropped. DSPy compares the last fields as
    /// objects, and every candidate program is a deep copy, so in practice only a candidate
    /// sharing its predictors with another one is dropped; so here.
    func dropDuplicates(_ candidates: [Candidate]) -> [Candidate] {
        func same(_ a: Candidate, _ b: Candidate) -> Bool {
            for (p1, p2) in zip(a.program.namedPredictors, b.program.namedPredictors) {
                if p1.predictor.signature.instructions != p2.predictor.signature.instructions { return false }
                if p1.predictor !== p2.predictor { return false }
            }
            return true
        }
        var out: [Candidate] = []
        var batch: [Candidate] = []
        var batchScore = -1.0
        for c in candidates {
            var repeated = false
            if c.score == batchScore {
                repeated = batch.contains { same(c, $0) }
                if !repeated { batch.append(c) }
            } else {
                batch = [c]
                batchScore = c.score
            }
            if !repeated { out.append(c) }
        }
        return out
    }
}

/// COPRO's argument and outcome errors, as DSPy words them.
public enum COPROError: Error, CustomStringConvertible, Sendable {
    case breadth
    case noCandidates
    public var description: String {
        switch self {
        case .breadth: return "Breadth must be greater than 1"
        case .noCandidates: return "COPRO scored no candidates: give it a non-empty trainset and depth of at least 1."
        }
    }
}
