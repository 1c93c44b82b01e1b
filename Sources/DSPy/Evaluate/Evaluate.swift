import Foundation
import Logging
import OrderedCollections

/// Scores a program on a dev set (DSPy's `dspy.Evaluate`): runs it on every example's inputs
/// in parallel (the caller's scope, usage roll-up, `max_errors` and cancellation are
/// ``parallelMap(_:options:describe:isolation:_:)``'s), scores each prediction with the metric,
/// and returns the average as a percentage with every `(example, prediction, score)`.
///
///     let evaluate = Evaluate(devset: dev, metric: .answerExactMatch, numThreads: 8)
///     let result = try await evaluate(program)   // result.score == 66.67
///
/// An item whose program or metric fails scores `failureScore` with an empty prediction; it is
/// logged and kept (``EvaluationItem/failure``), not dropped.
public struct Evaluate: Sendable {
    /// How many result rows ``EvaluationResult/table(rows:color:width:)`` shows after a run.
    public enum TableRows: Sendable, Hashable {
        case none, all
        case first(Int)
    }

    public var devset: [Example]
    public var metric: Metric
    /// Items in flight at once; `nil` reads `num_threads` at call time.
    public var numThreads: Int?
    public var displayProgress: Bool
    public var displayTable: TableRows
    /// Failures that stop the run; `nil` reads `max_errors` at call time.
    public var maxErrors: Int?
    public var provideTraceback: Bool?
    public var failureScore: Double
    /// Files the results are written to after a run (DSPy's `save_as_csv` / `save_as_json`):
    /// per item the example's fields, the prediction's and the score.
    public var saveAsCSV: String?
    public var saveAsJSON: String?
    /// Where the table goes when ``displayTable`` asks for one (standard output by default).
    public var output: @Sendable (String) -> Void
    /// How the program's LM calls are sent: directly (``BatchEngine/threads``) or as provider
    /// batches (``BatchEngine/openAIBatch(_:)``), for dev sets of many thousand examples.
    public var engine: BatchEngine

    static let logger = Logger(label: "dspy.evaluate")

    public init(
        devset: [Example], metric: Metric, numThreads: Int? = nil, displayProgress: Bool = false,
        displayTable: TableRows = .none, maxErrors: Int? = nil, provideTraceback: Bool? = nil, failureScore: Double = 0,
        saveAsCSV: String? = nil, saveAsJSON: String? = nil, engine: BatchEngine = .threads,
        output: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }
    ) {
        self.engine = engine
        self.devset = devset
        self.metric = metric
        self.numThreads = numThreads
        self.displayProgress = displayProgress
        self.displayTable = displayTable
        self.maxErrors = maxErrors
        self.provideTraceback = provideTraceback
        self.failureScore = failureScore
        self.saveAsCSV = saveAsCSV
        self.saveAsJSON = saveAsJSON
        self.output = output
    }

    /// Evaluates `program`, optionally with another metric or dev set for this run.
    /// - Throws: ``EvaluateError/emptyDevset``, or ``ParallelCancelledError`` when failures
    ///   reach `max_errors` or the caller is cancelled.
    public func callAsFunction(_ program: any Module, metric: Metric? = nil, devset: [Example]? = nil) async throws -> EvaluationResult {
        let metric = metric ?? self.metric
        let devset = devset ?? self.devset
        guard !devset.isEmpty else { throw EvaluateError.emptyDevset }
        let options = ParallelOptions(
            numThreads: numThreads, maxErrors: maxErrors, provideTraceback: provideTraceback,
            disableProgressBar: !displayProgress)
        let progress = ProgressLine(total: devset.count, enabled: displayProgress, showsMetric: true)
        let finished = Locked<[Int: (Prediction, Value)]>([:])
        let outcomes: BatchResults<(Prediction, Value)>
        do {
            outcomes = try await batchMap(
                Array(devset.enumerated()), options: options, engine: engine, progress: progress,
                describe: { .object($0.element.values) }
            ) { indexed -> (Prediction, Value) in
                let (index, example) = indexed
                let prediction = try await program.call(try example.inputs().values)
                let score = try await metric(example, prediction)
                progress.add(score: try Metric.number(score))
                finished.withLock { $0[index] = (prediction, score) }
                return (prediction, score)
            }
        } catch let error as ParallelCancelledError where error.reason == .interrupted {
            throw EvaluateError.interrupted(try partialResult(devset, finished.withLock { $0 }, metric: metric.name))
        } catch is CancellationError {
            throw EvaluateError.interrupted(try partialResult(devset, finished.withLock { $0 }, metric: metric.name))
        }
        var items: [EvaluationItem] = []
        items.reserveCapacity(devset.count)
        for (example, outcome) in zip(devset, outcomes.items) {
            switch outcome {
            case .success(let (prediction, score)):
                items.append(EvaluationItem(example: example, prediction: prediction, score: score, failure: nil))
            case .failure(let failure):
                items.append(EvaluationItem(example: example, prediction: Prediction(), score: .double(failureScore), failure: failure))
            }
        }
        let result = try EvaluationResult(metricName: metric.name, items: items)
        Self.logger.info("Average Metric: \(EvaluationResult.averageText(sum: result.scoreSum, count: items.count, decimals: false))")
        switch displayTable {
        case .none: break
        case .all: output(result.table(rows: nil))
        case .first(let n): output(result.table(rows: n))
        }
        if let saveAsCSV { save(result.csvText(), to: saveAsCSV) }
        if let saveAsJSON { save(result.jsonText(), to: saveAsJSON) }
        return result
    }

    /// Writes a results file; a failure is logged, and the run's result is still returned.
    func save(_ text: String, to path: String) {
        let url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            Self.logger.error("could not write the evaluation results to \(path): \(error.localizedDescription)")
        }
    }
}

extension Evaluate {
    /// The items that finished before an interruption, in dev-set order.
    func partialResult(_ devset: [Example], _ finished: [Int: (Prediction, Value)], metric: String) throws -> EvaluationResult {
        let items = finished.keys.sorted().map { i in
            EvaluationItem(example: devset[i], prediction: finished[i]?.0 ?? Prediction(), score: finished[i]?.1 ?? .null, failure: nil)
        }
        return try EvaluationResult(metricName: metric, items: items)
    }
}

/// Why an evaluation could not start, or stopped early.
public enum EvaluateError: Error, CustomStringConvertible, Sendable {
    case emptyDevset
    /// Cancelled (Ctrl-C in the shell); what finished is kept, scored on its own.
    case interrupted(EvaluationResult)

    public var description: String {
        switch self {
        case .emptyDevset: return "devset must contain at least one example, got an empty devset."
        case .interrupted(let partial):
            return
                "The evaluation was interrupted after \(partial.items.count) examples finished (score over those: \(PythonFloat.repr(partial.score)))."
        }
    }
}

/// One dev-set example with what the program predicted and its score.
public struct EvaluationItem: Sendable {
    public let example: Example
    /// Empty when the item failed.
    public let prediction: Prediction
    /// The metric's value (a bool or a number), or the failure score.
    public let score: Value
    /// Why the program or the metric failed on this example, if it did.
    public let failure: ItemFailure?
}

/// What ``Evaluate`` returns (DSPy's `EvaluationResult`): the score as a percentage rounded to
/// two decimals, and every item in dev-set order.
public struct EvaluationResult: Sendable, CustomStringConvertible {
    public let score: Double
    public let items: [EvaluationItem]
    /// The metric's name, the score column's title.
    public let metricName: String
    /// The sum of the item scores (`true` counts 1).
    public let scoreSum: Double

    public init(metricName: String, items: [EvaluationItem]) throws {
        self.metricName = metricName
        self.items = items
        scoreSum = try items.reduce(0) { $0 + (try Metric.number($1.score)) }
        score = items.isEmpty ? 0 : EvaluationResult.rounded(100 * scoreSum / Double(items.count), places: 2)
    }

    /// The items that failed.
    public var failures: [ItemFailure] { items.compactMap(\.failure) }

    public var description: String { "EvaluationResult(score=\(PythonFloat.repr(score)), results=<list of \(items.count) results>)" }

    /// Python's `round(x, places)` (correctly rounded, ties to even on the exact binary value).
    static func rounded(_ x: Double, places: Int) -> Double {
        Double(String(format: "%.\(places)f", x)) ?? x
    }

    /// `2 / 3 (66.7%)` as DSPy logs it, or `2.00 / 3 (66.7%)` as its progress bar shows it.
    static func averageText(sum: Double, count: Int, decimals: Bool) -> String {
        let pct = count == 0 ? 0 : rounded(100 * sum / Double(count), places: 1)
        let total = decimals ? String(format: "%.2f", sum) : (sum == sum.rounded() && abs(sum) < 1e15 ? String(Int(sum)) : PythonFloat.repr(sum))
        return "\(total) / \(count) (\(PythonFloat.repr(pct))%)"
    }

    // MARK: Saved results

    /// An item's fields as DSPy merges them for its table and saved results: the example's
    /// (`example_` prefixed where the prediction has the same name), then the prediction's
    /// (`pred_` prefixed likewise).
    static func mergedFields(_ item: EvaluationItem) -> OrderedDictionary<String, Value> {
        var fields = OrderedDictionary<String, Value>()
        for (k, v) in item.example.values { fields[item.prediction[k] != nil ? "example_" + k : k] = v }
        for (k, v) in item.prediction.values { fields[item.example[k] != nil ? "pred_" + k : k] = v }
        return fields
    }

    /// The columns of the table and of a saved CSV: every item's merged fields in the order
    /// they first appear, then the score.
    func columns() -> [String] {
        var names = OrderedSet<String>()
        for item in items { for key in Self.mergedFields(item).keys where key != metricName { names.append(key) } }
        return Array(names) + [metricName]
    }

    /// Each item as DSPy's `save_as_csv` / `save_as_json` write it: its merged fields, then the
    /// score under the metric's name.
    public func records() -> [OrderedDictionary<String, Value>] {
        items.map { item in
            var record = Self.mergedFields(item)
            record[metricName] = item.score
            return record
        }
    }

    /// The records as `json.dump` writes them (ASCII, `", "` and `": "` separators).
    public func jsonText() -> String {
        JSON.pythonDumps(.array(records().map(Value.object)), ensureASCII: true)
    }

    /// The records as `csv.DictWriter` writes them. DSPy takes the columns from the first
    /// record and fails on a later one with more (a first item that failed has no prediction
    /// fields); here the columns are every record's, in the order they first appear, and the
    /// score last.
    public func csvText() -> String {
        Dataset.csvText(header: columns(), records: records())
    }

    // MARK: The table

    /// The columns DSPy's table has (``columns()``: the merged fields, then the score) and each
    /// item's cells.
    public func rows() -> (header: [String], rows: [[String]]) {
        let header = columns()
        let rows = items.map { item -> [String] in
            var cells = Self.mergedFields(item).mapValues(EvaluationResult.cell)
            cells[metricName] = EvaluationResult.scoreCell(item)
            return header.map { cells[$0] ?? "" }
        }
        return (header, rows)
    }

    /// The results as a text table: the first `rows` items (all when `nil`), each cell cut to
    /// 25 words as DSPy cuts them and to `width` characters, and a line counting the rest.
    public func table(rows limit: Int?, color: Bool = false, width: Int = 40) -> String {
        let (header, all) = rows()
        let shown = limit.map { Array(all.prefix(max(0, $0))) } ?? all
        let indexWidth = String(max(0, shown.count - 1)).count
        func clip(_ s: String) -> String {
            let flat = s.replacingOccurrences(of: "\n", with: " ")
            return flat.count > width ? String(flat.prefix(max(1, width - 1))) + "…" : flat
        }
        let cells = shown.map { $0.map(clip) }
        let titles = header.map(clip)
        var widths = titles.map(\.count)
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        let bold = color ? "\u{1B}[1m" : "", reset = color ? "\u{1B}[0m" : ""
        var out = String(repeating: " ", count: indexWidth) + "  " + bold + zip(titles, widths).map { pad($0, $1) }.joined(separator: "  ") + reset
        out = out.trimmingTrailingSpaces() + "\n"
        for (i, row) in cells.enumerated() {
            var line = pad(String(i), indexWidth) + "  "
            line += zip(row, widths).enumerated().map { j, cw in
                let text = pad(cw.0, cw.1)
                guard color, j == row.count - 1 else { return text }
                let failed = shown.indices.contains(i) && (items[i].failure != nil || (try? Metric.number(items[i].score)) == 0)
                return (failed ? "\u{1B}[31m" : "\u{1B}[32m") + text + reset
            }.joined(separator: "  ")
            out += line.trimmingTrailingSpaces() + "\n"
        }
        let hidden = all.count - shown.count
        if hidden > 0 { out += "... \(hidden) more rows not displayed ...\n" }
        return out
    }

    /// DSPy's `truncate_cell`: at most 25 words.
    static func cell(_ v: Value) -> String {
        let text = v.stringValue ?? v.pythonRepr
        let words = AnswerText.words(text)
        return words.count > 25 ? words.prefix(25).joined(separator: " ") + "..." : text
    }

    /// DSPy's `stylize_metric_name`: `✔️ [0.500]` for a float, `✔️ [True]` otherwise.
    static func scoreCell(_ item: EvaluationItem) -> String {
        switch item.score {
        case .double(let d): return "✔️ [" + String(format: "%.3f", d) + "]"
        case .null: return ""
        case .bool(let b): return "✔️ [" + (b ? "True" : "False") + "]"
        case let other: return "✔️ [" + (other.stringValue ?? other.pythonRepr) + "]"
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
