import Foundation
import OrderedCollections

/// How a program's answer is scored against an example (DSPy's metric functions).
///
/// A metric returns a bool or a number (`Value.bool`, `.int`, `.double`); ``Evaluate`` averages
/// it, and ``BootstrapFewShot`` keeps a trace when it is true (or at least a threshold). The
/// `trace` is the run's predictor calls while bootstrapping, and `nil` during evaluation.
public struct Metric: Sendable {
    /// Shown as the score column's title (DSPy uses the function's `__name__`).
    public let name: String
    private let body: @Sendable (Example, Prediction, [TraceEntry]?) async throws -> Value

    public init(
        _ name: String, _ body: @escaping @Sendable (_ example: Example, _ prediction: Prediction, _ trace: [TraceEntry]?) async throws -> Value
    ) {
        self.name = name
        self.body = body
    }

    /// A pass/fail metric.
    public init(
        _ name: String, passes body: @escaping @Sendable (_ example: Example, _ prediction: Prediction, _ trace: [TraceEntry]?) async throws -> Bool
    ) {
        self.init(name) { e, p, t in .bool(try await body(e, p, t)) }
    }

    /// A graded metric (usually 0...1).
    public init(
        _ name: String, score body: @escaping @Sendable (_ example: Example, _ prediction: Prediction, _ trace: [TraceEntry]?) async throws -> Double
    ) {
        self.init(name) { e, p, t in .double(try await body(e, p, t)) }
    }

    public func callAsFunction(_ example: Example, _ prediction: Prediction, trace: [TraceEntry]? = nil) async throws -> Value {
        try await body(example, prediction, trace)
    }

    /// The score as a number (`true` is 1); throws for anything else.
    public static func number(_ score: Value) throws -> Double {
        switch score {
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: throw MetricError("A metric returns a bool or a number, not \(score.pythonRepr).")
        }
    }

    /// DSPy's `answer_exact_match`: the prediction's `answer` equals the example's `answer` (a
    /// string, or any of a list) after ``AnswerText/normalize(_:)``; with `frac < 1`, token F1
    /// of at least `frac` is enough.
    public static func answerExactMatch(frac: Double = 1.0) -> Metric {
        Metric("answer_exact_match") { example, prediction, _ in
            let answers = try referenceAnswers(example)
            let predicted = try text(prediction["answer"], "prediction's answer")
            return .bool(frac >= 1.0 ? AnswerText.exactMatch(predicted, answers) : AnswerText.f1(predicted, answers) >= frac)
        }
    }

    /// `answer_exact_match` with DSPy's default `frac=1.0`.
    public static let answerExactMatch = answerExactMatch()

    /// DSPy's `answer_passage_match`: some passage of the prediction's `context` contains the
    /// answer (or one of them) as a run of tokens.
    public static let answerPassageMatch = Metric("answer_passage_match") { example, prediction, _ in
        let answers = try referenceAnswers(example)
        guard case .array(let items)? = prediction["context"] else {
            throw MetricError("answer_passage_match needs the prediction's `context` as a list of passages.")
        }
        let passages = try items.map { try text($0, "passage") }
        return .bool(AnswerText.passageMatch(passages: passages, answers: answers))
    }

    static func referenceAnswers(_ example: Example) throws -> [String] {
        switch example["answer"] {
        case .string(let s)?: return [s]
        case .array(let items)?: return try items.map { try text($0, "answer") }
        case let other: throw MetricError("Invalid answer type: <class '\(other.map(pythonTypeName) ?? "NoneType")'>")
        }
    }

    static func text(_ v: Value?, _ what: String) throws -> String {
        guard case .string(let s)? = v else {
            throw MetricError("The \(what) must be a str, not \(v.map(pythonTypeName) ?? "missing").")
        }
        return s
    }

    static func pythonTypeName(_ v: Value) -> String {
        switch v {
        case .null: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .array: return "list"
        case .object: return "dict"
        }
    }
}

/// A metric that could not score (a missing field, a value of the wrong type).
public struct MetricError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// DSPy's answer comparisons (`dspy.evaluate.metrics`): normalisation, exact match, token F1,
/// HotPotQA F1 and passage containment.
public enum AnswerText {
    /// DSPy's `normalize_text`: Unicode NFD, lowercase, ASCII punctuation removed, the
    /// articles "a", "an", "the" removed as words, whitespace collapsed.
    public static func normalize(_ text: String) -> String {
        let lowered = text.decomposedStringWithCanonicalMapping.lowercased()
        var scalars = String.UnicodeScalarView()
        for u in lowered.unicodeScalars where !(u.isASCII && punctuation.contains(UInt8(u.value))) { scalars.append(u) }
        return words(removingArticles(String(scalars))).joined(separator: " ")
    }

    /// `EM`: some answer equals the prediction after normalisation.
    public static func exactMatch(_ prediction: String, _ answers: [String]) -> Bool {
        let p = normalize(prediction)
        return answers.contains { normalize($0) == p }
    }

    /// `F1`: the best token-level F1 over the answers (0 when nothing overlaps).
    public static func f1(_ prediction: String, _ answers: [String]) -> Double {
        answers.map { tokenF1(words(normalize(prediction)), words(normalize($0))) }.max() ?? 0
    }

    /// `HotPotF1`: as ``f1(_:_:)``, but "yes", "no" and "noanswer" must match exactly.
    public static func hotpotF1(_ prediction: String, _ answers: [String]) -> Double {
        answers.map { answer in
            let p = normalize(prediction), g = normalize(answer)
            let special: Set<String> = ["yes", "no", "noanswer"]
            if (special.contains(p) || special.contains(g)) && p != g { return 0 }
            return tokenF1(words(p), words(g))
        }.max() ?? 0
    }

    /// `precision_score`: the share of the prediction's tokens found in the ground truth.
    public static func precision(_ prediction: String, _ truth: String) -> Double {
        let p = words(normalize(prediction))
        var counts: [String: Int] = [:]
        for t in words(normalize(truth)) { counts[t, default: 0] += 1 }
        var same = 0
        for t in p where (counts[t] ?? 0) > 0 {
            counts[t, default: 0] -= 1
            same += 1
        }
        return same == 0 ? 0 : Double(same) / Double(p.count)
    }

    /// `answer_passage_match`'s test: some passage holds some answer as a run of DPR tokens.
    public static func passageMatch(passages: [String], answers: [String]) -> Bool {
        let tokenized = answers.map { dprWords(normalize($0)) }
        return passages.contains { passage in
            let text = dprWords(normalize(passage))
            return tokenized.contains { answer in
                guard answer.count <= text.count else { return false }
                if answer.isEmpty { return true }
                return (0...(text.count - answer.count)).contains { Array(text[$0..<($0 + answer.count)]) == answer }
            }
        }
    }

    static func tokenF1(_ prediction: [String], _ truth: [String]) -> Double {
        var counts: [String: Int] = [:]
        for t in truth { counts[t, default: 0] += 1 }
        var same = 0
        for t in prediction where (counts[t] ?? 0) > 0 {
            counts[t, default: 0] -= 1
            same += 1
        }
        guard same > 0 else { return 0 }
        let precision = Double(same) / Double(prediction.count), recall = Double(same) / Double(truth.count)
        return 2 * precision * recall / (precision + recall)
    }

    /// `string.punctuation`.
    static let punctuation = Set(Array("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".utf8))

    /// Python's `str.split()`: runs of non-whitespace.
    static func words(_ s: String) -> [String] {
        var out: [String] = []
        var current = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if u.properties.isWhitespace || (0x1C...0x1F).contains(u.value) {
                if !current.isEmpty { out.append(String(current)); current = String.UnicodeScalarView() }
            } else {
                current.append(u)
            }
        }
        if !current.isEmpty { out.append(String(current)) }
        return out
    }

    /// `re.sub(r"\b(a|an|the)\b", " ", text)`, with Python's word characters (letters,
    /// digits, underscore; combining marks are not).
    static func removingArticles(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var run = String.UnicodeScalarView()
        func flush() {
            let word = String(run)
            if word == "a" || word == "an" || word == "the" { out.append(" ") } else { out.append(contentsOf: run) }
            run = String.UnicodeScalarView()
        }
        for u in s.unicodeScalars {
            if isWordScalar(u) { run.append(u) } else { flush(); out.append(u) }
        }
        flush()
        return String(out)
    }

    static func isWordScalar(_ u: Unicode.Scalar) -> Bool {
        if u == "_" { return true }
        switch u.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// DSPy's `DPR_normalize`: NFD, then tokens that are runs of letters, digits and marks or
    /// single other visible characters, lowercased.
    static func dprWords(_ s: String) -> [String] {
        var out: [String] = []
        var run = String.UnicodeScalarView()
        func flush() { if !run.isEmpty { out.append(String(run).lowercased()); run = String.UnicodeScalarView() } }
        for u in s.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch u.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark:
                run.append(u)
            case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control, .format, .surrogate, .privateUse, .unassigned:
                flush()
            default:
                flush()
                out.append(String(u).lowercased())
            }
        }
        flush()
        return out
    }
}
