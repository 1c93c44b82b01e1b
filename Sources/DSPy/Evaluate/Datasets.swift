import Foundation
import OrderedCollections

/// A data file that could not be read as examples; the message names the file and line.
public struct DatasetError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Examples from files: JSON Lines (one object per line) and CSV (a header row, then records;
/// RFC 4180 quoting). `inputs` marks the input fields, as `with_inputs(...)` does.
public enum Dataset {
    /// The largest file read (1 GB): a dev set, not a corpus.
    public static let maxFileBytes = 1 << 30

    static func read(_ path: String) throws -> String {
        let expanded = (path as NSString).expandingTildeInPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory) else {
            throw DatasetError("[Errno 2] No such file or directory: '\(path)'")
        }
        guard !isDirectory.boolValue else { throw DatasetError("[Errno 21] Is a directory: '\(path)'") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: expanded))?[.size] as? Int, size > maxFileBytes {
            throw DatasetError("\(path) is \(size) bytes; data files up to \(maxFileBytes) bytes are read")
        }
        guard let data = FileManager.default.contents(atPath: expanded) else { throw DatasetError("[Errno 13] Permission denied: '\(path)'") }
        return String(decoding: data, as: UTF8.self)
    }

    /// One example per non-blank line, each a JSON object.
    public static func loadJSONL(_ path: String, inputs: [String]? = nil) throws -> [Example] {
        var out: [Example] = []
        for (n, line) in try read(path).split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy({ $0.isWhitespace }) {
            guard case .object(let values)? = try? JSON.parse(String(line)) else {
                throw DatasetError("\(path):\(n + 1): each line must be a JSON object")
            }
            out.append(Example(values, inputKeys: inputs))
        }
        return out
    }

    /// One example per record, keyed by the header row; values are strings, as Python's csv
    /// module reads them. `fields` keeps only those columns.
    public static func loadCSV(_ path: String, inputs: [String]? = nil, fields: [String]? = nil) throws -> [Example] {
        let rows = try parseCSV(try read(path), path: path)
        guard let header = rows.first else { return [] }
        if let fields, let missing = fields.first(where: { !header.contains($0) }) {
            throw DatasetError("\(path): no column '\(missing)' (the header has \(header.joined(separator: ", ")))")
        }
        return try rows.dropFirst().enumerated().compactMap { i, row in
            if row.count == 1 && row[0].isEmpty { return nil }  // a blank line
            guard row.count == header.count else {
                throw DatasetError("\(path): record \(i + 1) has \(row.count) fields, the header \(header.count)")
            }
            var values = OrderedDictionary<String, Value>()
            for (k, v) in zip(header, row) where fields?.contains(k) ?? true { values[k] = .string(v) }
            return Example(values, inputKeys: inputs)
        }
    }

    /// RFC 4180 records: fields separated by commas, quoted fields may hold commas, newlines
    /// and doubled quotes; `\r\n` and `\n` end records.
    static func parseCSV(_ text: String, path: String) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var chars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return chars.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let after = next() {
                        if after == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = after }
                    } else {
                        quoted = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true
            case ",": row.append(field); field = ""
            case "\r":
                if let after = next(), after != "\n" { pending = after }
                fallthrough
            case "\n":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
                line += 1
            default: field.unicodeScalars.append(c)
            }
        }
        if quoted { throw DatasetError("\(path):\(line): a quoted field is not closed") }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}

extension Dataset {
    /// Records as Python's `csv.DictWriter` writes them (excel dialect: minimal quoting, `\r\n`
    /// line ends): a header row, then each record's values as `str()` gives them; a column a
    /// record lacks is empty.
    public static func csvText(header: [String], records: [OrderedDictionary<String, Value>]) -> String {
        func field(_ text: String) -> String {
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        func line(_ fields: [String]) -> String {
            // A lone empty field is written quoted, or the line would read as blank.
            fields.count == 1 && fields[0].isEmpty ? "\"\"\r\n" : fields.map(field).joined(separator: ",") + "\r\n"
        }
        var out = line(header)
        for record in records {
            out += line(
                header.map { key in
                    guard let v = record[key], v != .null else { return "" }
                    return v.pythonStr
                })
        }
        return out
    }
}
