// Fuzz inputs for the shell: a grammar of the Python (and the shell's magics) that DSPy users
// write, with extreme values mixed in, and mutations of what it generates. The fuzzer
// (`dspy-fuzz`, Tests/Fuzzer, run by Scripts/fuzz) feeds them to the built `dspy-repl`; the
// regression test (Tests/DSPyShellTests/ShellFuzzTests.swift) runs a few thousand through the
// engine in-process. Everything is a function of a seed, so every input can be made again.
//
//     var g = ShellFuzzGrammar(seed: 42, intensity: .regression)
//     let source = g.statement()            // one top-level statement, perhaps several lines
//     let batch = ShellFuzzInputs.batch(seed: 42, index: 7, count: 100, intensity: .full)

/// A deterministic generator (SplitMix64): the same seed gives the same inputs everywhere.
public struct FuzzRandom: Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n` (0 when `n` is not positive).
    public mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }

    /// True `percent` times in a hundred.
    public mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    /// One of `items` (which must not be empty).
    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// A seed for a sub-generator: `seed` mixed with `index`, so batch `i` of a run is the same
    /// whichever worker makes it.
    public static func derive(_ seed: UInt64, _ index: UInt64) -> UInt64 {
        var r = FuzzRandom(seed: seed ^ (index &* 0xD1B5_4A32_D192_ED03))
        return r.next()
    }
}

/// A grammar of shell input: Python statements and expressions as DSPy users write them
/// (assignments, calls, `def`/`async def`/`class`, comprehensions, f-strings, `try`, `with`,
/// bounded loops, big ints, NaN and infinities, string repetition with big counts, slicing,
/// dict and set operations, deep nesting, lambdas, generators, asyncio), DSPy calls on the
/// offline `dummy` LM (good and malformed signatures, scopes, LM and batch options at their
/// extremes), the magics and help requests.
///
/// Every statement starts at column 0 and refers only to names that ``prelude`` defines or that
/// it defines itself; loops are bounded, so a statement that never ends is a bug in the shell.
public struct ShellFuzzGrammar {
    /// How far the extreme values go.
    public enum Intensity: Sendable {
        /// Counts either small or far beyond every limit (an error at once), nesting to 10 000:
        /// fast enough for the regular test suite.
        case regression
        /// Also counts near the limits (values of hundreds of MB) and nesting to a million.
        case full
    }

    public var random: FuzzRandom
    public let intensity: Intensity
    var fresh = 0
    /// False while generating a value that is stored under a name later statements iterate
    /// (`for v in d`, `[... for v in s]`): a billion-character `d` would make them legitimately
    /// slow, not hung. Huge values go to `big`, which only its own statements use.
    var hugeAllowed = true

    public init(seed: UInt64, intensity: Intensity) {
        random = FuzzRandom(seed: seed)
        self.intensity = intensity
    }

    /// Statements that define the names generated statements use (`x`, `s`, `l`, `qa`, `f`,
    /// `co`, `C`, ...). Run them first in every session.
    public static let prelude: [String] = [
        "import dspy",
        "import asyncio",
        "import math",
        "import json",
        "import re",
        "import itertools",
        "x = 1",
        "y = 2.5",
        "s = 'abc'",
        "l = [1, 2, 3]",
        "d = {'a': 1, 'b': [2]}",
        "t = (1, 'two', None)",
        "st = {1, 2, 3}",
        "b = 'xy'",
        "z = None",
        "lm = dspy.LM('dummy')",
        "qa = dspy.Predict('question -> answer')",
        "cot = dspy.ChainOfThought('question -> answer')",
        "def f(a=1, *args, **kw):\n    return a",
        "async def co(v=0):\n    await asyncio.sleep(0)\n    return v",
        "def gen(k=3):\n    for i in range(k):\n        yield i",
        "class C:\n    k = 1\n    def __init__(self, v=0):\n        self.v = v\n    def m(self):\n        return self.v\n    def __repr__(self):\n        return f'C({self.v!r})'",
        "obj = C(2)",
    ]

    // MARK: Values

    static let names = ["x", "y", "s", "l", "d", "t", "st", "b", "z", "obj", "qa", "cot", "lm", "f", "co", "gen", "C", "i", "v"]
    static let assignable = ["x", "y", "s", "l", "d", "t", "st", "b", "z", "w", "v", "r"]
    static let ints = [
        "0", "1", "-1", "2", "3", "7", "-7", "255", "2**31", "2**63", "-2**63", "2**64", "10**20", "10**100",
        "123456789012345678901234567890", "0x7fffffffffffffff", "0b1011", "0o777", "1_000", "-0", "True",
    ]
    static let floats = [
        "0.5", "-0.0", "1e308", "1e-320", "5e-324", "1.7976931348623157e308", "float('nan')", "float('inf')",
        "-float('inf')", "1e309", "3.14", "0.1 + 0.2", "float('-nan')", "2.5e-3",
    ]
    static let strings = [
        "''", "'abc'", "\"q\"", "'é🙂'", "'a\\nb'", "'\\x00'", "'\\u202e'", "'''tri\nple'''", "'%s %d'",
        "'{}{}'", "'{0}'", "r'\\d+'", "'🙂' * 3", "'x' * 100", "'\\t'", "'Ǆ'", "'ﬃ'", "'e\\u0301'", "'\\U0010ffff'",
        "\"it's\"", "'-> answer'", "'question -> answer'",
    ]
    static let smallCounts = ["0", "1", "2", "3", "-1", "-5", "10", "100"]

    /// A count where a size is expected: small, or far beyond any limit (the shell must refuse
    /// it with an error at once), and with ``Intensity/full`` also near the limits.
    mutating func bigCount() -> String {
        var choices = ["0", "1", "3", "-1", "10**4", "10**12", "2**62", "2**63", "2**64", "10**100", "-10**20", "2**63 - 1"]
        if intensity == .full, hugeAllowed { choices += ["10**6", "10**7", "10**8", "2**27", "2**29", "2**30", "2**31", "10**9"] }
        return random.pick(choices)
    }

    /// A nesting depth for deep source or data: 10 000 at most in regression runs.
    mutating func deep() -> Int {
        random.pick(intensity == .full ? [3, 50, 199, 201, 1_000, 10_000, 100_000, 1_000_000] : [3, 50, 199, 201, 1_000, 10_000])
    }

    mutating func atom() -> String {
        switch random.below(12) {
        case 0, 1, 2: return random.pick(Self.names)
        case 3, 4: return random.pick(Self.ints)
        case 5: return random.pick(Self.floats)
        case 6, 7: return random.pick(Self.strings)
        case 8: return random.pick(["None", "True", "False", "...", "b''", "b'\\xff'", "NotImplemented"])
        case 9: return random.pick(["[]", "[1, 2]", "()", "(1,)", "{}", "{'k': 1}", "{1, 2}", "set()", "[[]]", "{'a': {'b': []}}"])
        case 10:
            return random.pick([
                "range(3)", "range(0)", "range(10**20)", "range(-5, 5, 2)", "lambda: 0", "lambda *a, **k: a",
                "object()", "len", "str", "int", "print", "dspy", "math.pi", "math.inf", "json", "C(1)",
            ])
        default: return random.pick(["[1, 'a', None]", "(None, 1.5)", "{'q': 'x', 'answer': 1}", "{None: 1, 2.5: 'f'}", "dict(a=1)"])
        }
    }

    // MARK: Expressions

    static let binary = [
        "+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "==", "!=", "<", "<=", ">", ">=",
        "in", "not in", "is", "is not", "and", "or", "@",
    ]
    static let unary = ["-", "+", "~", "not "]
    static let builtinCalls = [
        "len", "str", "repr", "ascii", "int", "float", "bool", "list", "tuple", "set", "frozenset", "dict",
        "sorted", "reversed", "enumerate", "sum", "min", "max", "abs", "hash", "type", "id", "callable",
        "iter", "bin", "hex", "oct", "chr", "ord", "any", "all", "dir", "round", "format", "vars",
    ]

    /// One expression; `depth` bounds the recursion.
    public mutating func expression(_ depth: Int = 0) -> String {
        if depth > 3 { return atom() }
        switch random.below(30) {
        case 0, 1, 2, 3, 4: return atom()
        case 5, 6, 7: return "(\(expression(depth + 1)) \(random.pick(Self.binary)) \(expression(depth + 1)))"
        case 8: return "(\(random.pick(Self.unary))\(expression(depth + 1)))"
        case 9: return "\(expression(depth + 1))[\(expression(depth + 1))]"
        case 10: return "\(expression(depth + 1))[\(slicePart()):\(slicePart())\(random.chance(40) ? ":" + slicePart() : "")]"
        case 11, 12: return "\(random.pick(Self.builtinCalls))(\(expression(depth + 1)))"
        case 13: return methodCall(depth)
        case 14: return comprehension(depth)
        case 15, 16: return fString(depth)
        case 17: return "(\(expression(depth + 1)) if \(expression(depth + 1)) else \(expression(depth + 1)))"
        case 18:
            return
                "(lambda \(random.pick(["", "a", "a, b=2", "*a", "**k", "a, /, b=1"])): \(expression(depth + 1)))(\(random.pick(["", "1", "1, 2", "*l", "**d", "x"])))"
        case 19: return "[\(expression(depth + 1)), \(expression(depth + 1))]"
        case 20: return "{\(expression(depth + 1)): \(expression(depth + 1))}"
        case 21: return "(\(expression(depth + 1)), \(random.chance(50) ? expression(depth + 1) : ""))"
        case 22: return sizedValue()
        case 23: return numeric(depth)
        case 24:
            return
                "\(expression(depth + 1)).\(random.pick(["real", "imag", "__class__", "__name__", "__doc__", "__dict__", "v", "k", "answer", "nope", "__len__", "__repr__()", "m()", "history", "signature", "lm", "model"]))"
        case 25: return "\(random.pick(["f", "C", "gen", "qa", "cot", "lm", "obj.m", "print", "dict", "sorted", "max"]))(\(arguments(depth + 1)))"
        case 26:
            return
                "(\(expression(depth + 1)) \(random.pick(["<", "==", "<="])) \(expression(depth + 1)) \(random.pick(["<", "!=", ">"])) \(expression(depth + 1)))"
        case 27: return "(v := \(expression(depth + 1)))"
        case 28: return "[*\(expression(depth + 1)), *\(random.pick(["l", "t", "s", "()", "range(2)"]))]"
        default: return "{**\(random.pick(["d", "{}", "{'a': 2}", "dict(k=1)"])), **\(random.pick(["d", "{}", "{1: 2}"]))}"
        }
    }

    mutating func slicePart() -> String {
        random.pick(["", "0", "1", "-1", "2", "-3", "10**20", "-10**20", "2**63", "None", "x", "len(s)", "0.5", "'a'"])
    }

    mutating func arguments(_ depth: Int) -> String {
        var parts: [String] = []
        for _ in 0..<random.below(4) {
            switch random.below(6) {
            case 0: parts.append("*\(random.pick(["l", "t", "s", "()", "range(3)", "x"]))")
            case 1: parts.append("**\(random.pick(["d", "{}", "{'a': 1}", "{'question': 'q'}", "x"]))")
            case 2: parts.append("\(random.pick(["a", "question", "k", "v", "key", "sep", "n"]))=\(expression(depth))")
            default: parts.append(expression(depth))
            }
        }
        return parts.joined(separator: ", ")
    }

    /// A value built with a size that may be huge: repetition, padding, ranges.
    mutating func sizedValue() -> String {
        let n = bigCount()
        switch random.below(16) {
        case 0: return "s * \(n)"
        case 1: return "'ab' * \(n)"
        case 2: return "[0] * \(n)"
        case 3: return "(1, 2) * \(n)"
        case 4: return "b'x' * \(n)"
        case 5: return "s.center(\(n), '*')"
        case 6: return "'x'.ljust(\(n))"
        case 7: return "'7'.zfill(\(n))"
        case 8: return "'a\\tb'.expandtabs(\(n))"
        case 9: return "len(range(\(n)))"
        case 10: return "range(\(n))[-1]"
        case 11: return "f'{x:>{\(n)}}'"
        case 12: return "'%*d' % (\(n), 1)"
        case 13: return "format(1.5, '.\(n)f')"
        case 14: return "str(2 ** \(n))[:5]"
        default: return "[1, 2][::\(random.pick(["-1", "2", "0", "10**20", "-(2**63)"]))]"
        }
    }

    mutating func numeric(_ depth: Int) -> String {
        let a = random.pick(Self.ints + Self.floats), b = random.pick(Self.ints + Self.floats)
        switch random.below(16) {
        case 0: return "pow(\(a), \(b), \(random.pick(["7", "0", "-3", "10**20", "None"])))"
        case 1: return "divmod(\(a), \(b))"
        case 2: return "round(\(a), \(random.pick(["0", "-1", "2", "-400", "400", "10**20", "None"])))"
        case 3:
            return
                "math.\(random.pick(["sqrt", "log", "exp", "floor", "ceil", "isqrt", "factorial", "trunc", "fabs", "gcd", "isnan", "isinf", "log2", "sin", "atan2"]))(\(a)\(random.chance(30) ? ", \(b)" : ""))"
        case 4:
            return
                "int(\(random.pick(["'12'", "' -3 '", "'0x1f', 16", "'9' * 5000", "'1_0'", "'٣'", "'z', 36", "3.9", "float('nan')", "float('inf')", "'1e5'", "b'7'"])))"
        case 5: return "float(\(random.pick(["'1e500'", "'nan'", "'-inf'", "'0x1p3'", "'1_0.5'", "10**400", "'  2.5 '", "'infinity'"])))"
        case 6: return "(\(a)).bit_length()"
        case 7: return "(\(a)).to_bytes(\(random.pick(["1", "8", "0", "-1", "10**20"])), 'big')"
        case 8: return "float.fromhex(\(random.pick(["'0x1p-1074'", "'0x1p1024'", "'nan'", "'zz'"])))"
        case 9: return "(\(a)).as_integer_ratio()"
        case 10: return "(\(a)) ** (\(b))"
        case 11: return "(\(a)) << (\(random.pick(["1", "64", "-1", "10**6", "10**20", "2**63"])))"
        case 12: return "hash(\(a))"
        case 13: return "complex(\(a), \(b))"
        case 14: return "sum([\(a), \(b)], \(random.pick(["0", "0.0", "[]", "''"])))"
        default: return "f'{\(a):\(random.pick([",", ".3e", "x", "b", "%", "_", "+010.2f", ".0f", "g", "c", "n", ">{3}"]))}'"
        }
    }

    mutating func methodCall(_ depth: Int) -> String {
        let n = random.chance(20) ? bigCount() : random.pick(Self.smallCounts)
        switch random.below(6) {
        case 0:
            let m = random.pick([
                "upper()", "lower()", "split()", "split('b')", "rsplit(None, 1)", "strip('a')", "replace('a', 'xy')",
                "replace('', '-')", "replace('a', s, \(n))", "join(['1', '2'])", "find('c')", "index('z')", "count('')",
                "partition('b')", "encode()", "encode('ascii')", "format(1, k=2)", "startswith(('a', 'b'))",
                "splitlines()", "title()", "casefold()", "isdigit()", "center(\(n))", "rjust(\(n), 'é')",
                "split('', 1)", "removeprefix('a')", "translate({97: 'zz'})", "zfill(\(n))", "swapcase()", "isidentifier()",
            ])
            return "\(random.pick(["s", "'abc'", "str(x)", "'é🙂'", "''"])).\(m)"
        case 1:
            let m = random.pick([
                "append(\(expression(depth + 1)))", "extend(\(random.pick(["l", "s", "range(3)", "[]"])))",
                "insert(\(n), 0)", "pop()", "pop(\(n))", "remove(1)", "index(2)", "count(1)", "sort()",
                "sort(key=lambda v: -v)", "sort(key=str, reverse=True)", "reverse()", "copy()", "clear()",
            ])
            return "l.\(m)"
        case 2:
            let m = random.pick([
                "get('a')", "get(\(expression(depth + 1)), 0)", "setdefault('n', [])", "pop('a', None)", "pop('zz')",
                "popitem()", "update(k=1)", "update([(1, 2)])", "keys()", "values()", "items()", "copy()",
                "fromkeys(range(\(random.pick(["3", "0", "100"]))))", "__len__()", "__contains__('a')",
            ])
            return "d.\(m)"
        case 3:
            let m = random.pick([
                "add(\(expression(depth + 1)))", "discard(1)", "union({9})", "intersection(l)", "pop()", "issubset(st)",
                "symmetric_difference([1, 9])", "remove(99)",
            ])
            return "st.\(m)"
        case 4:
            return
                "\(random.pick(["b", "b'abc'", "bytes(3)", "bytearray(b'x')"])).\(random.pick(["decode()", "hex()", "decode('utf-8', 'replace')", "upper()", "split(b'x')", "count(b'')"]))"
        default:
            return random.pick([
                "json.dumps(\(expression(depth + 1)))", "json.dumps(d, indent=\(random.pick(["2", "-1", "10**6", "None", "'\\t'"])))",
                "json.loads(\(random.pick(["'[1, 2]'", "'{\"a\": NaN}'", "'1e400'", "'\"\\\\ud800\"'", "'[' * 50 + ']' * 50", "'{'", "s"])))",
                "re.sub(r'a', 'b', s)", "re.findall(r'\\w+', s * 3)", "re.split(r'(b)', s)", "re.match(r'^a', s)",
                "re.fullmatch(r'[a-c]+', s)", "re.escape(s)", "re.compile('(')",
                "list(itertools.islice(itertools.count(), 5))", "list(itertools.product('ab', repeat=2))",
                "list(itertools.permutations(range(3)))", "list(itertools.chain(l, s))", "list(zip(l, s, strict=False))",
                "list(map(str, l))", "list(filter(None, [0, 1, '', 'a']))", "sorted(d, key=len)", "max(l, default=0)",
                "min([], default=None)", "sum(range(\(random.pick(["10", "0", "1000"]))))", "isinstance(x, (int, str))",
                "getattr(obj, 'v', None)", "getattr(obj, \(random.pick(["'m'", "'nope'", "''", "'__class__'"])))", "hasattr(qa, 'forward')",
                "type(obj).__name__", "C.__mro__", "obj.__dict__", "vars(obj)", "dir(obj)[:3]", "sorted(st)",
            ])
        }
    }

    mutating func comprehension(_ depth: Int) -> String {
        let source = random.pick([
            "range(\(random.pick(["3", "0", "-1", "50"])))", "l", "s", "d", "st", "d.items()", "gen()", "t", "enumerate(s)", "zip(l, s)",
        ])
        let condition = random.chance(40) ? " if \(expression(depth + 1))" : ""
        switch random.below(5) {
        case 0: return "[\(expression(depth + 1)) for v in \(source)\(condition)]"
        case 1: return "{v: \(expression(depth + 1)) for v in \(source)\(condition)}"
        case 2: return "{\(expression(depth + 1)) for v in \(source)}"
        case 3: return "list(\(expression(depth + 1)) for v in \(source)\(condition))"
        default: return "[(i, j) for i in range(3) for j in \(source) if i]"
        }
    }

    mutating func fString(_ depth: Int) -> String {
        let e = expression(depth + 1).replacingOccurrences(of: "'", with: "\"").replacingOccurrences(of: "\n", with: " ")
        switch random.below(8) {
        case 0: return "f'{\(e)}'"
        case 1: return "f'{\(e)!r}'"
        case 2: return "f'{\(e)!s:>{\(random.pick(["3", "0", "-1", "10**12", "2**63"]))}}'"
        case 3: return "f'{\(e):\(random.pick([",", ".2f", "x", "^9", "*<4", "=+8", "", "e", "#b", ".{2}"]))}'"
        case 4: return "f'a{{b}}{\(e)}c'"
        case 5: return "f'{\(e)=}'"
        case 6: return "f\"{f'{\(e.replacingOccurrences(of: "\"", with: "'"))}'}\""
        default: return "f'''{\(e)}\n{x}'''"
        }
    }

    // MARK: Statements

    /// One top-level statement (perhaps several lines; no trailing newline).
    public mutating func statement() -> String {
        fresh += 1
        switch random.below(100) {
        case 0..<12: return expression()
        case 12..<20: return "\(random.pick(Self.assignable)) = \(storedExpression())"
        case 20..<22:
            return
                "\(random.pick(Self.assignable)) \(random.pick(["+=", "-=", "*=", "//=", "%=", "**=", "|=", "<<=", "@="])) \(random.chance(70) ? storedExpression() : random.pick(Self.smallCounts))"
        case 22..<25: return subscriptAssignment()
        case 25..<28: return "print(\(arguments(1)))"
        case 28..<30: return "if \(expression()):\n    w = \(expression())\nelif \(expression()):\n    w = 2\nelse:\n    w = \(expression())"
        case 30..<33: return forLoop()
        case 33: return "i = 0\nwhile i < \(random.pick(["3", "0", "10"])):\n    i += 1\n    \(simple())\n    if \(expression()):\n        break"
        case 34..<37: return tryStatement()
        case 37..<40: return withContext()
        case 40..<44: return function()
        case 44..<47: return classStatement()
        case 47..<49: return generator()
        case 49..<53: return asyncStatement()
        case 53..<61: return dspyCall()
        case 61..<64: return signature()
        case 64..<66: return lmStatement()
        case 66..<69: return parallelStatement()
        case 69..<71:
            return "inspect_history(n=\(random.pick(["0", "1", "-1", "3", "10**20", "2**63", "-(2**63)", "None", "'2'", "1.5", "float('nan')"])))"
        case 71..<78: return magic()
        case 78..<81: return helpRequest()
        case 81..<84: return deepSource()
        case 84..<86: return deepData()
        case 86..<89: return bigValue()
        case 89:
            return random.pick([
                "import \(random.pick(["os", "sys", "time", "random", "typing", "nosuchmodule", "dspy.predict", "os.path"]))",
                "from typing import \(random.pick(["Literal", "Optional", "List", "Any", "Nope"]))",
                "from dspy import \(random.pick(["Predict", "Signature", "InputField, OutputField", "nope"]))",
                "import math as m2, json as j2",
            ])
        case 90..<92: return raiseStatement()
        case 92:
            return
                "def outer():\n    a = 1\n    def inner():\n        nonlocal a\n        a += 1\n        return a\n    return inner\nw = outer()\nw(), w()"
        case 93: return "del \(random.pick(["x", "l[0]", "d['a']", "d[\(expression())]", "obj.v", "l[:]", "nosuch", "s[0]"]))"
        case 94: return "assert \(expression()), \(random.pick(["'message'", "x", "f'{s}'"]))"
        case 95: return "global \(random.pick(Self.assignable))\n\(random.pick(Self.assignable)) = 1"
        case 96:
            return
                "\(random.pick(["a", "(a, b)", "[a, *r]", "a, b = b, a", "(a, (b, c))"])) = \(random.pick(["(1, 2)", "[1, [2, 3]]", "l", "s", "range(2)", "d", "x", "'ab'"]))"
        case 97: return "w = [\(expression()) for _ in range(2)]; w"
        case 98:
            return
                "sorted(\(random.pick(["l", "[3, 1, 2]", "s", "[None, 1]", "[float('nan'), 1, 0]", "[[1], [0]]"])), key=\(random.pick(["lambda v: v", "str", "len", "lambda v: -v", "None"])))"
        default: return "x = \(storedExpression())\nx"
        }
    }

    /// An expression whose value is stored under a name other statements iterate: no huge sizes.
    mutating func storedExpression() -> String {
        hugeAllowed = false
        defer { hugeAllowed = true }
        return expression()
    }

    /// A value as large as the limits allow (or more), stored in `big` and then used whole:
    /// measured, sliced, searched, compared, hashed, converted.
    mutating func bigValue() -> String {
        let use = random.pick([
            "len(big)", "big[:10]", "big[-5:]", "print(len(big))", "big.count('x')", "big.upper()[:3]", "big.split()[:2]",
            "repr(big)[:20]", "big.replace('a', 'bb')[:5]", "hash(big)", "big == big", "json.dumps(big)[:5]",
            "big.find('zz')", "big.strip()[:3]", "str(big)[:3]", "big * 2 if len(big) < 10**6 else 0", "big.encode()[:3]",
            "sorted(big[:100])", "big[::-1][:3]", "big.startswith('7')", "f'{big:.3}'", "big.splitlines()[:1]",
            "set(big[:1000])", "big.index(big[-1:])", "max(big[:100])", "big.isdigit()", "big.title()[:3]",
        ])
        return "big = \(sizedValue())\n\(use)"
    }

    mutating func simple() -> String {
        random.pick(["pass", "w = \(expression(2))", "continue", "l.append(i)", "print(i)", "d[i] = i"])
    }

    mutating func subscriptAssignment() -> String {
        switch random.below(6) {
        case 0: return "l[\(slicePart())] = \(expression())"
        case 1: return "l[\(slicePart()):\(slicePart())] = \(random.pick(["[9]", "[]", "'ab'", "range(3)", "l", "x"]))"
        case 2: return "d[\(expression())] = \(expression())"
        case 3: return "obj.\(random.pick(["v", "k", "w", "__class__", "m"])) = \(expression())"
        case 4: return "l[::\(random.pick(["2", "-1", "0"]))] = \(random.pick(["[1, 2]", "[]", "[0] * 2"]))"
        default: return "d.setdefault('list', []).append(\(expression()))"
        }
    }

    mutating func forLoop() -> String {
        let source = random.pick([
            "range(\(random.pick(["3", "0", "5", "-2", "1, 10, 3"])))", "l[:5]", "s[:5]", "d", "st",
            "enumerate(s[:3])", "zip(l, s)", "gen()", "d.items()", "reversed(l)", "x", "None",
        ])
        let target = random.pick(["v", "i", "(a, b)", "i, v", "obj.v", "l[0]"])
        var body = "    \(simple())"
        if random.chance(40) { body += "\n    if \(expression(2)):\n        break" }
        let tail = random.chance(20) ? "\nelse:\n    w = 'done'" : ""
        return "for \(target) in \(source):\n\(body)\(tail)"
    }

    mutating func tryStatement() -> String {
        let handler = random.pick([
            "Exception", "ZeroDivisionError", "(TypeError, ValueError)", "Exception as e", "BaseException",
            "KeyError as e", "RecursionError", "MemoryError", "OverflowError", "AttributeError", "dspy.LMError",
        ])
        var text =
            "try:\n    w = \(expression())\nexcept \(handler):\n    w = \(random.pick(["None", "0", "'failed'", "repr(e) if 'e' in dir() else 1"]))"
        if random.chance(30) { text += "\nelse:\n    w = 1" }
        if random.chance(30) { text += "\nfinally:\n    r = \(expression(2))" }
        if random.chance(10) { text = "try:\n    raise ValueError('v')\nexcept* ValueError:\n    pass" }
        return text
    }

    mutating func withContext() -> String {
        let options = random.pick([
            "lm=lm", "lm=dspy.LM('dummy', temperature=0.9)", "temperature=\(random.pick(["0", "0.7", "-1", "float('nan')", "1e308", "'hot'"]))",
            "max_tokens=\(random.pick(["1", "0", "-1", "10**20", "None"]))", "num_threads=\(random.pick(["1", "0", "-1", "10**9", "2**63"]))",
            "track_usage=True", "adapter=dspy.JSONAdapter()", "adapter=dspy.ChatAdapter()", "nope=1", "lm=None", "lm=5",
            "max_errors=\(random.pick(["0", "-1", "10**20"]))", "\(random.pick(["lm=lm, ", ""]))callbacks=[]",
        ])
        let inner =
            random.chance(20)
            ? "\n    with dspy.context(\(random.pick(["temperature=0.1", "lm=dspy.LM('dummy/other')", "nope=2"]))):\n        w = qa(question='inner').answer"
            : ""
        return
            "with \(random.pick(["dspy.context", "context"]))(\(options)):\n    w = \(random.chance(60) ? "qa(question=\(random.pick(Self.strings))).answer" : expression())\(inner)"
    }

    mutating func function() -> String {
        let params = random.pick([
            "", "a", "a, b=2", "*args", "**kw", "a, *, k=1", "a=[]", "a, /", "a: int = 1, b: str = ''",
            "a=1, *args, k, **kw",
        ])
        let body: String
        switch random.below(6) {
        case 0: body = "    return \(expression(1))"
        case 1:
            body =
                "    if \(random.pick(["a", "True", "not args", "kw"])) if '\(params)' else True:\n        return \(expression(2))\n    return None"
        case 2: body = "    yield \(expression(2))\n    yield from \(random.pick(["range(2)", "l", "s", "gen()"]))"
        case 3: body = "    return w_\(fresh)(\(random.pick(["", "a", "1", "*args"])))"  // recursion without end: RecursionError
        case 4: body = "    global x\n    x = \(expression(2))\n    return x"
        default: body = "    '''Doc.'''\n    w = [\(expression(2)) for _ in range(2)]\n    return w"
        }
        let asyncPrefix = random.chance(20) ? "async " : ""
        let decorator = random.chance(10) ? random.pick(["@staticmethod\n", "@dspy.asyncify\n", "@(lambda g: g)\n"]) : ""
        let call =
            asyncPrefix.isEmpty
            ? "w_\(fresh)(\(random.pick(["", "1", "1, 2", "a=3", "*l", "**d", "k=1"])))" : "asyncio.run(w_\(fresh)(\(random.pick(["", "1"]))))"
        return "\(decorator)\(asyncPrefix)def w_\(fresh)(\(params)):\n\(body)\n\(call)"
    }

    mutating func classStatement() -> String {
        let base = random.pick([
            "", "(C)", "(dspy.Module)", "(dspy.Signature)", "(Exception)", "(int)", "(str)", "(dict)", "(list)", "(object)", "(C, C)",
        ])
        let members: String
        switch random.below(9) {
        case 0: members = "    def __repr__(self):\n        return \(random.pick(["5", "'r'", "repr(self)", "None", "str(self)"]))"
        case 1:
            members =
                "    def __eq__(self, other):\n        return \(random.pick(["True", "self == other", "NotImplemented", "1/0"]))\n    def __hash__(self):\n        return \(random.pick(["1", "'h'", "2**70", "hash(self)"]))"
        case 2:
            members =
                "    def __len__(self):\n        return \(random.pick(["-1", "2**63", "'3'", "1.5", "3"]))\n    def __bool__(self):\n        return \(random.pick(["1", "True", "None"]))"
        case 3:
            members =
                "    def __iter__(self):\n        return \(random.pick(["iter([1, 2])", "self", "5", "gen()"]))\n    def __next__(self):\n        raise StopIteration"
        case 4: members = "    def __getattr__(self, name):\n        return \(random.pick(["getattr(self, name)", "name", "self.missing", "42"]))"
        case 5:
            members =
                "    def __init__(self, *a):\n        super().__init__()\n        self.p = dspy.Predict('question -> answer')\n    def forward(self, question):\n        return self.p(question=question)"
        case 6:
            members =
                "    \"\"\"Answer questions.\"\"\"\n    question: str = dspy.InputField()\n    answer: \(random.pick(["str", "int", "list[str]", "float", "bool", "dict[str, int]"])) = dspy.OutputField(desc='a')"
        case 7:
            members =
                "    def __lt__(self, other):\n        return \(random.pick(["True", "NotImplemented", "self < other"]))\n    def __str__(self):\n        return \(random.pick(["'s'", "str(self)", "1"]))"
        default: members = "    k = \(expression(2))\n    def m(self, *a):\n        return self.k"
        }
        let use = random.pick([
            "W()", "repr(W())", "str(W())", "W() == W()", "hash(W())", "len(W())", "bool(W())", "list(W())",
            "W().anything", "sorted([W(), W()])", "W()(question='q')", "dspy.Predict(W)(question='q')",
            "{W(): 1}", "W", "[W()] * 2", "W.__mro__", "isinstance(W(), C)", "W().m()",
        ])
        return "class W\(base):\n\(members)\n\(use)"
    }

    mutating func generator() -> String {
        // Endless `yield from` recursion: each generator has a thread of its own, so reaching the
        // recursion limit takes seconds in a debug build; only full runs use it.
        if intensity == .full, random.chance(10) { return "def w():\n    yield from w()\nnext(w())" }
        return random.pick([
            "g = gen(\(random.pick(["3", "0", "-1", "10**20"])))\nnext(g), next(g, 'end'), list(g)",
            "g = (v * 2 for v in range(3))\nsum(g), sum(g)",
            "def w():\n    r = yield 1\n    yield r\ng = w()\nnext(g), g.send(5)",
            "g = gen()\ng.close()\nlist(g)",
            "list(zip(gen(), gen(2), itertools.repeat(0)))",
            "g = iter(l)\nlist(g), next(g, None)",
            "def w():\n    try:\n        yield 1\n    finally:\n        print('closed')\ng = w()\nnext(g)\ndel g",
        ])
    }

    mutating func asyncStatement() -> String {
        let n = random.pick(["0", "1", "3", "20"])
        return random.pick([
            "asyncio.run(co(\(expression(2))))",
            "async def w():\n    return await asyncio.gather(*(co(i) for i in range(\(n))))\nasyncio.run(w())",
            "async def w():\n    await asyncio.sleep(0)\n    return await qa.acall(question='a')\nasyncio.run(w())",
            "await co(1)",
            "await asyncio.gather(qa.acall(question='a'), qa.acall(question='b'))",
            "await gather(*[qa.acall(question=str(i)) for i in range(\(n))])",
            "j = qa.acall(question='job')",
            "j = co(2)\nawait j",
            "async def w():\n    t1 = asyncio.create_task(co(1))\n    return await t1\nasyncio.run(w())",
            "async def w():\n    try:\n        return await asyncio.wait_for(asyncio.sleep(0), timeout=\(random.pick(["0", "1", "-1", "1e308", "float('nan')"])))\n    except Exception as e:\n        return repr(e)\nasyncio.run(w())",
            "async def w():\n    raise ValueError('async')\nasyncio.run(w())",
            "asyncio.run(asyncio.sleep(0))",
            "async def w():\n    async for v in agen():\n        pass\nasync def agen():\n    yield 1\nasyncio.run(w())",
            "asyncio.run(5)",
            "await asyncio.sleep(0)",
            "a = dspy.asyncify(qa)\nawait a(question='async')",
            "async def w():\n    async with dspy.context(temperature=0.1):\n        return 1\nasyncio.run(w())",
        ])
    }

    static let signatures = [
        "'question -> answer'", "'q -> a'", "'question, context: list[str] -> answer: int, ok: bool'",
        "'text -> sentiment: Literal[\"pos\", \"neg\"]'", "'q: dict[str, list[int]] -> a: Optional[float]'",
        "'a, b -> c: list[list[str]]'", "'q -> a: tuple[int, str]'", "'q -> a: dict[str, dict[str, Any]]'",
        // malformed
        "'->'", "''", "'q ->'", "'-> a'", "'q -> q'", "'q a -> b'", "'q -> a: nosuchtype'", "'q -> a: list['",
        "'q, q -> a'", "'1 -> 2'", "'q -> a -> b'", "'q: int = 3 -> a'", "'é -> 🙂'", "'q -> a: Literal[]'",
        "'q -> a: list[' * 50", "'q -> a: ' + 'list[' * 300 + 'str' + ']' * 300", "'q, ' * 1000 + 'q -> a'",
        "'-> ' * 1000", "'q -> a' * 3", "None", "5", "'question -> answer\\n'", "'q -> a: Union[int, str]'",
        "'q -> a:' + ' int' * 3", "dspy.Signature('q -> a', 'instructions')", "'q -> __init__'",
    ]

    mutating func dspyCall() -> String {
        let module = random.pick([
            "qa", "cot", "dspy.Predict('question -> answer')", "dspy.ChainOfThought('q -> a: int')",
            "dspy.Predict(\(random.pick(Self.signatures)))",
            "dspy.ReAct('question -> answer', tools=[calculate, now], max_iters=\(random.pick(["0", "1", "3", "-1"])))",
        ])
        let input = random.pick([
            "question='x'", "question=\(random.pick(Self.strings))", "question=\(expression(2))", "", "q='x'",
            "question='x', extra=1", "'positional'", "question='x' * \(random.pick(["10", "10**5", "0"]))",
            "question=None", "question=[1, 2]", "**{'question': 'k'}", "question='x', config={'temperature': 0.1}",
            "question='x', lm=dspy.LM('dummy', n=\(random.pick(["1", "2", "0", "-1"])))",
        ])
        switch random.below(12) {
        case 0: return "\(module)(\(input))"
        case 1:
            return
                "r = \(module)(\(input))\nr.\(random.pick(["answer", "reasoning", "completions", "toDict()", "keys()", "nope", "get('answer')", "lm_usage", "items()"]))"
        case 2: return "p = dspy.Predict(\(random.pick(Self.signatures)))\np"
        case 3: return "dspy.Predict(\(random.pick(Self.signatures)))(question='q')"
        case 4:
            return
                "calculate(expression=\(random.pick(["'2 ** 10'", "'1/0'", "'2 ** 10 ** 10'", "'9' * 5000", "'(' * 500 + '1' + ')' * 500", "'1e308 * 10'", "'-' * 10000 + '1'", "''", "'x'", "'2 ** -1'", "'10 ** 400'", "'7 % 0'"])))"
        case 5: return "dspy.Example(question='q', answer='a').with_inputs(\(random.pick(["'question'", "", "'nope'", "1"])))"
        case 6:
            return
                "ex = dspy.Example(\(random.pick(["question='q'", "", "{'a': 1}", "x=[1]"])))\nex, ex.\(random.pick(["inputs()", "labels()", "toDict()", "question", "nope", "copy(answer=1)"]))"
        case 7:
            return
                "qa.\(random.pick(["signature", "demos", "history[-1:]", "reset()", "named_predictors()", "predictors()", "deepcopy()", "dump_state()", "parameters()", "inspect_history(\(random.pick(["1", "0", "-1", "10**20"])))", "get_lm()", "set_lm(lm)"]))"
        case 8: return "dspy.settings.\(random.pick(["lm", "adapter", "num_threads", "trace", "nope", "max_errors", "temperature", "callbacks"]))"
        case 9:
            return
                "dspy.configure(\(random.pick(["lm=lm", "lm=dspy.LM('dummy')", "num_threads=\(random.pick(["1", "0", "-1", "10**20", "2**63", "'4'"]))", "track_usage=True", "adapter=5", "lm='dummy'", "nope=1", "max_errors=-1"])))"
        case 10:
            return
                "\(module).batch([\(random.pick(["{'question': 'a'}", "dspy.Example(question='e').with_inputs('question')", "{'q': 1}", "1", "('x',)"]))] * \(random.pick(["0", "1", "3"])))"
        default: return "%prompt \(module)(\(input))"
        }
    }

    mutating func signature() -> String {
        switch random.below(5) {
        case 0: return "dspy.Signature(\(random.pick(Self.signatures)))"
        case 1:
            return
                "sig = dspy.Signature(\(random.pick(Self.signatures)), \(random.pick(["'Do it.'", "''", "None", "5", "'x' * 10**4"])))\nsig.\(random.pick(["instructions", "input_fields", "output_fields", "fields", "with_instructions('new')", "append('extra', dspy.InputField())", "prepend('first', dspy.OutputField())", "nope"]))"
        case 2: return "dspy.Signature({'q': dspy.InputField(), 'a': dspy.OutputField(desc=\(random.pick(["'d'", "5", "None"])))})"
        case 3:
            return
                "class W(dspy.Signature):\n    \(random.pick(["'''Doc.'''", "x = 1", "pass"]))\n    \(random.pick(["q", "question", "_q", "instructions"])): \(random.pick(["str", "int", "list[str]", "Literal['a', 'b']", "Optional[str]", "nosuch"])) = dspy.\(random.pick(["InputField", "OutputField"]))(\(random.pick(["", "desc='d'", "prefix='P:'", "default=1"])))\ndspy.Predict(W)(\(random.pick(["q='x'", "question='x'", "", "_q=1"])))"
        default: return "%prompt dspy.Predict(\(random.pick(Self.signatures)))(question='x')"
        }
    }

    mutating func lmStatement() -> String {
        let option = random.pick([
            "timeout=\(random.pick(["-1", "0", "1e308", "float('nan')", "float('inf')", "2**63", "'1'", "None"]))",
            "n=\(random.pick(["0", "-1", "1", "5", "10**20", "2**63", "1.5"]))",
            "temperature=\(random.pick(["0", "2", "-1", "float('nan')", "1e308", "'hot'", "None"]))",
            "max_tokens=\(random.pick(["0", "-1", "1", "10**20", "None"]))",
            "num_retries=\(random.pick(["0", "-1", "10**9", "2**63"]))", "cache=\(random.pick(["True", "False", "None", "'x'"]))",
            "model_type='\(random.pick(["chat", "text", "responses", "nope"]))'", "stop=\(random.pick(["['\\n']", "[]", "'x'", "None"]))",
            "api_key=''", "api_base='not a url'", "rollout_id=\(random.pick(["1", "None", "'r'"]))",
        ])
        let model = random.pick(["'dummy'", "'dummy/x'", "''", "'openai/'", "'nosuchprovider/m'", "5", "'dummy' * 100"])
        switch random.below(4) {
        case 0: return "dspy.LM(\(model), \(option))"
        case 1: return "w = dspy.LM('dummy', \(option))\nw('hello')"
        case 2: return "with dspy.context(lm=dspy.LM('dummy', \(option))):\n    qa(question='lm')"
        default:
            return
                "lm(\(random.pick(["'hi'", "messages=[{'role': 'user', 'content': 'hi'}]", "", "5", "messages=[]", "messages=[{'role': 'nope'}]", "prompt=None"])))"
        }
    }

    mutating func parallelStatement() -> String {
        let threads = random.pick(["1", "2", "8", "0", "-1", "10**6", "2**63", "None", "'4'", "1.5"])
        let errors = random.pick(["None", "0", "1", "-1", "10**20"])
        let timeout = random.pick(["120", "0", "-1", "1e308", "float('nan')", "float('inf')", "None", "2**63"])
        let items = random.pick([
            "[{'question': str(i)} for i in range(\(random.pick(["0", "1", "5", "40"])))]", "[]", "[{'question': 'bad'}, 1]",
            "[dspy.Example(question='e').with_inputs('question')] * 3", "[{'nope': 1}] * 2", "5",
        ])
        switch random.below(3) {
        case 0: return "qa.batch(\(items), num_threads=\(threads), max_errors=\(errors), timeout=\(timeout))"
        case 1:
            return
                "dspy.Parallel(num_threads=\(threads), max_errors=\(errors), timeout=\(timeout))([(qa, {'question': 'p'}), (cot, {'question': 'c'})] * \(random.pick(["1", "0", "5"])))"
        default:
            return
                "dspy.Parallel(num_threads=\(threads), return_failed_examples=True)([(qa, \(random.pick(["{'question': 'p'}", "{'x': 1}", "('a',)", "5"])))])"
        }
    }

    mutating func magic() -> String {
        let number = random.pick(["1", "0", "-1", "2", "99999999999999999999999", "x", "", "1.5", "all"])
        switch random.below(17) {
        case 0:
            return
                "%push \(random.pick(["temperature=0.5", "lm=LM(\"dummy\")", "num_threads=\(random.pick(["2", "0", "10**9"]))", "max_errors=1 temperature=0", "nope=1", "temperature=", "=1", "lm=", "temperature=float('nan')", "track_usage=True"]))"
        case 1, 2: return "%pop"
        case 3: return "%settings"
        case 4: return "%jobs"
        case 5: return "%wait \(number)"
        case 6: return "%cancel \(number)"
        case 7: return "%scopes"
        case 8: return "%history \(number)"
        case 9: return "%inspect \(number)"
        case 10:
            return
                "%stream \(random.pick(["qa(question='s')", "cot(question='c')", "qa(q='s')", "x", "qa", "print(1)", "", "qa(question='s' * 1000)"]))"
        case 11: return "%usage"
        case 12: return "%time \(random.pick(["1 + 1", "qa(question='t')", "sum(range(1000))", "", "x = 2", "1/0"]))"
        case 13: return "%who"
        case 14: return "%help \(random.pick(["", "Predict", "%push", "push", "nope", "LM", "x", "calculate"]))"
        case 15: return "%cache"
        default: return "%\(random.pick(["nosuch", "", "%", "push", "calls", "prompt", "stream", "wait all", "cancel", "time", "inspect 10**20"]))"
        }
    }

    mutating func helpRequest() -> String {
        let target = random.pick([
            "x", "qa", "cot", "lm", "s.upper", "dspy.Predict", "dspy", "f", "C", "obj", "print", "math", "len",
            "dspy.settings", "gen", "co", "nosuch", "json.dumps", "dspy.LM", "calculate", "1", "'s'", "d.get", "qa.batch",
        ])
        switch random.below(3) {
        case 0: return "\(target)?"
        case 1: return "help(\(target))"
        default: return "\(target)??"
        }
    }

    /// Source nested deeply: brackets, unary operators, long operator chains, attribute and
    /// subscript chains, nested lambdas and conditionals, deep blocks.
    mutating func deepSource() -> String {
        let n = deep()
        switch random.below(13) {
        case 0: return "w = " + String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n)
        case 1: return "w = " + String(repeating: "[", count: n) + String(repeating: "]", count: n)
        case 2: return "w = " + String(repeating: "-", count: n) + "1"
        case 3: return "w = " + String(repeating: "not ", count: n) + "x"
        case 4:
            return "w = "
                + Array(repeating: "1", count: n).joined(separator: random.pick([" + ", " * ", " ** ", " and ", " < ", ", ", " if 1 else "]))
        case 5: return "w = x" + String(repeating: random.pick([".real", "[0]", "()", "(x)"]), count: n)
        case 6: return "w = " + String(repeating: "lambda: ", count: min(n, 100_000)) + "0"
        case 7: return "w = " + String(repeating: "{'k': ", count: n) + "1" + String(repeating: "}", count: n)
        case 8:
            return (0..<min(n, 300)).map { String(repeating: " ", count: $0) + "if True:" }.joined(separator: "\n") + "\n"
                + String(repeating: " ", count: min(n, 300)) + "w = 1"
        case 9: return "w = f'" + String(repeating: "{", count: min(n, 5_000)) + "x" + String(repeating: "}", count: min(n, 5_000)) + "'"
        case 10: return "w = " + String(repeating: "~", count: n) + String(repeating: "+", count: n) + "1"
        case 11: return "w = '" + String(repeating: "\\\\", count: n) + "'"
        default: return "w = " + String(repeating: "await ", count: min(n, 10_000)) + "co()"
        }
    }

    /// Data nested deeply at run time, then shown, compared, copied, serialized and hashed.
    mutating func deepData() -> String {
        let n = deep()
        let build = random.pick(["w = [w]", "w = (w,)", "w = {'k': w}", "w = [w, 1]", "w = C(w)", "w = dspy.Example(k=w)", "w = {w}"])
        let use = random.pick([
            "repr(w)[:20]", "str(w)[:20]", "w == w", "w == [w]", "len(json.dumps(w))", "hash(w)", "bool(w)", "sorted([w, w])",
            "w.copy() if hasattr(w, 'copy') else w", "print(w)", "f'{w}'[:9]", "w", "isinstance(w, list)", "[w] < [w]",
            "dspy.Predict('question -> answer')(question=w)", "list(itertools.chain(w))", "set([w]) if False else 0", "max(w)",
        ])
        return "w = 0\nfor _ in range(\(n)):\n    \(build)\n\(use)"
    }

    mutating func raiseStatement() -> String {
        random.pick([
            "raise ValueError('v')", "raise", "raise KeyError(x) from None", "raise TypeError from ValueError('cause')",
            "raise 5", "raise StopIteration", "raise dspy.LMError('lm')", "raise KeyboardInterrupt",
            "raise RecursionError", "raise MemoryError", "raise GeneratorExit", "raise BaseException('b')",
            "raise Exception(s * \(bigCount()))", "raise asyncio.CancelledError()", "raise C", "raise ExceptionGroup('g', [ValueError(1)])",
        ])
    }
}

/// Mutations of generated inputs: byte flips, insertions and deletions, truncation, splicing
/// with other inputs, duplication (of a piece, or of an earlier input), and unicode oddities.
public struct ShellFuzzMutator {
    public var random: FuzzRandom

    public init(seed: UInt64) { random = FuzzRandom(seed: seed) }

    static let interesting: [Character] = [
        "(", ")", "[", "]", "{", "}", "'", "\"", ":", ",", ".", "=", "%", "?", "\\", "\n", " ", "\t",
        "#", "*", "-", "0", "9", "@", "!", "\0", "é", "🙂", "\u{202E}", "\u{FEFF}", "\u{0301}",
        "\u{200D}", "\u{2028}", "\r", "\u{7F}", "ß", "Ǆ", "\u{FFFD}", "x", "_", "$", "`",
    ]
    static let tokens = [
        "(", ")", "[", "]", "{", "}", "'''", "\"\"\"", "lambda:", "await ", "async ", "yield ", "*", "**", ":=",
        "f'{", "}'", "\n    ", "%", "?", "->", "...", "not ", "-", "10**20", "2**63", "1e309", "float('nan')",
        "qa(question='m')", "dspy.", "\\\n", ";", " if 1 else ", "#", "@", "%push ", "%pop", "\u{0}", "__class__",
    ]

    /// A mutation of `input`; `donors` are other inputs to splice from (may be empty).
    public mutating func mutate(_ input: String, donors: [String]) -> String {
        var chars = Array(input)
        let rounds = 1 + random.below(3)
        for _ in 0..<rounds {
            let position = random.below(chars.count + 1)
            switch random.below(11) {
            case 0:  // replace one character
                if !chars.isEmpty { chars[min(position, chars.count - 1)] = random.pick(Self.interesting) }
            case 1:  // insert one character
                chars.insert(random.pick(Self.interesting), at: position)
            case 2:  // delete a range
                let length = min(chars.count - position, 1 + random.below(8))
                if length > 0 { chars.removeSubrange(position..<(position + length)) }
            case 3:  // truncate
                chars = Array(chars.prefix(position))
            case 4:  // insert a token
                chars.insert(contentsOf: Array(random.pick(Self.tokens)), at: position)
            case 5:  // duplicate a piece, up to a thousand times
                let length = min(chars.count - position, 1 + random.below(6))
                if length > 0 {
                    let piece = chars[position..<(position + length)]
                    let times = random.pick([2, 3, 10, 100, 1_000])
                    chars.insert(contentsOf: Array(repeatElement(piece, count: times).joined()), at: position)
                }
            case 6:  // splice: our prefix, a donor's suffix
                if let donor = donors.isEmpty ? nil : random.pick(donors) {
                    let d = Array(donor)
                    chars = Array(chars.prefix(position)) + d.suffix(from: random.below(d.count + 1))
                }
            case 7:  // insert an earlier input whole
                if let donor = donors.isEmpty ? nil : random.pick(donors) { chars.insert(contentsOf: Array(donor), at: position) }
            case 8:  // swap a number for an extreme one
                if let digit = chars.indices.filter({ chars[$0].isNumber }).randomElement(using: &random) {
                    var end = digit
                    while end < chars.count, chars[end].isNumber { end += 1 }
                    chars.replaceSubrange(
                        digit..<end,
                        with: Array(random.pick(["0", "-1", "2**63", "10**20", "1e309", "4294967296", "9" + String(repeating: "9", count: 40)])))
                }
            case 9:  // unicode: a look-alike, a combining mark or a zero-width character after a letter
                if let letter = chars.indices.filter({ chars[$0].isLetter }).randomElement(using: &random) {
                    chars.insert(random.pick(["\u{0301}", "\u{200B}", "\u{FE0F}", "\u{0430}", "\u{2060}"]), at: letter + 1)
                }
            default:  // swap two lines
                var lines = String(chars).split(separator: "\n", omittingEmptySubsequences: false)
                if lines.count > 1 {
                    let i = random.below(lines.count), j = random.below(lines.count)
                    lines.swapAt(i, j)
                    chars = Array(lines.joined(separator: "\n"))
                }
            }
        }
        return String(chars)
    }
}

extension FuzzRandom: RandomNumberGenerator {}

/// Batches of fuzz inputs and the rules every input follows.
public enum ShellFuzzInputs {
    /// Whether the fuzzer may run `input`: it must not write files (`%save`, `.save(...)`, a
    /// disk cache elsewhere), leave the session (`exit()`, `%exit`, `SystemExit`) or wait on
    /// purpose (`sleep` with a mutated delay, `while` loops a mutation made endless).
    public static func isAllowed(_ input: String) -> Bool {
        let lowered = input.lowercased()
        for word in [
            "exit", "quit", "save", "%run", "disk_cache_dir", "configure_cache", "%reset", "%calls", "%cache clear",
            "load_settings", "open(", "input(", "listdir", "environ",
        ] where lowered.contains(word) {
            return false
        }
        return true
    }

    /// Mutated inputs must also not loop or wait longer than the grammar's own do: no `while`,
    /// no `sleep`, no `count(` (infinite iterators) and no long runs of digits in a `range`.
    public static func isAllowedMutant(_ input: String) -> Bool {
        guard isAllowed(input) else { return false }
        for word in ["while", "sleep", "count(", "repeat(", "cycle(", "factorial", "timeout", "comb(", "perm("] where input.contains(word) {
            return false
        }
        // `range(3)` may become `range(333)`, not `range(3333333333)`; `**` with a big power is kept.
        var run = 0
        for c in input {
            if c.isASCII && c.isNumber { run += 1; if run > 6 { return false } } else { run = 0 }
        }
        return true
    }

    /// Batch `index` of a run with `seed`: `count` inputs, `mutationPercent` of them mutated.
    public static func batch(
        seed: UInt64, index: Int, count: Int, intensity: ShellFuzzGrammar.Intensity,
        mutationPercent: Int = 25
    ) -> [String] {
        let batchSeed = FuzzRandom.derive(seed, UInt64(index))
        var grammar = ShellFuzzGrammar(seed: batchSeed, intensity: intensity)
        var mutator = ShellFuzzMutator(seed: FuzzRandom.derive(batchSeed, 1))
        var out: [String] = []
        out.reserveCapacity(count)
        while out.count < count {
            var input = grammar.statement()
            if mutator.random.chance(mutationPercent) {
                let mutant = mutator.mutate(input, donors: Array(out.suffix(20)))
                if isAllowedMutant(mutant) { input = mutant }
            }
            if isAllowed(input) { out.append(input) }
        }
        return out
    }
}
