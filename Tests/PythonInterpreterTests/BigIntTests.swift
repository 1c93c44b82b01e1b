import Testing
@testable import PythonInterpreter

extension PythonInterpreterTests {
    /// Ints at and beyond the machine range behave as Python's unbounded ints.
    @Suite struct BigIntTests {
        func value(_ expression: String) async -> String {
            let r = await runPython("print((\(expression)))\n")
            return r.error ?? String(r.output.dropLast())
        }

        @Test func powersAndOverflowPromote() async {
            #expect(await value("2 ** 63") == "9223372036854775808")
            #expect(await value("2 ** 64 - 1") == "18446744073709551615")
            #expect(await value("9223372036854775807 + 1") == "9223372036854775808")
            #expect(await value("-9223372036854775807 - 2") == "-9223372036854775809")
            #expect(await value("9223372036854775807 * 9223372036854775807") == "85070591730234615847396907784232501249")
            #expect(await value("(2 ** 64) // 2 ** 32") == "4294967296")
            #expect(await value("type(2 ** 63 - 2 ** 62 * 2 + 5)") == "<class 'int'>")
        }

        @Test func minimumIntEdgeCases() async {
            let minInt = "(-9223372036854775807 - 1)"
            #expect(await value("\(minInt) // -1") == "9223372036854775808")
            #expect(await value("-\(minInt)") == "9223372036854775808")
            #expect(await value("abs(\(minInt))") == "9223372036854775808")
            #expect(await value("\(minInt) * -1") == "9223372036854775808")
            #expect(await value("\(minInt) % -1") == "0")
            #expect(await value("divmod(\(minInt), -1)") == "(9223372036854775808, 0)")
            #expect(await value("~\(minInt)") == "9223372036854775807")
            #expect(await value("\(minInt) - 1") == "-9223372036854775809")
        }

        @Test func moduloAndDivisionSigns() async {
            #expect(await value("5 % 9223372036854775807") == "5")
            #expect(await value("-5 % 9223372036854775807") == "9223372036854775802")
            #expect(await value("-7 // 2, -7 % 2, 7 // -2, 7 % -2") == "(-4, 1, -4, -1)")
            #expect(await value("(2 ** 70) % -3, -(2 ** 70) // 3") == "(-2, -393530540239137101142)")
            #expect(await value("1 % 0") == "ZeroDivisionError: integer modulo by zero")
            #expect(await value("1 // 0") == "ZeroDivisionError: integer division or modulo by zero")
            #expect(await value("(2 ** 80) % 0") == "ZeroDivisionError: integer modulo by zero")
        }

        @Test func floatConversions() async {
            #expect(
                await value("int(1e300)")
                    == "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160"
            )
            #expect(await value("int(float('nan'))") == "ValueError: cannot convert float NaN to integer")
            #expect(await value("int(float('inf'))") == "OverflowError: cannot convert float infinity to integer")
            #expect(await value("float(2 ** 1024)") == "OverflowError: int too large to convert to float")
            #expect(await value("2 ** 1023 / 2 ** 1022") == "2.0")
            #expect(await value("float(2 ** 63)") == "9.223372036854776e+18")
            #expect(await value("2 ** 63 == 2.0 ** 63, 2 ** 63 + 1 > 2.0 ** 63") == "(True, True)")
        }

        @Test func bigIntsAsKeysAndInRanges() async {
            #expect(await value("{2 ** 64: 'a'}[2 ** 64]") == "a")
            #expect(await value("hash(2 ** 61 - 1), hash(-1)") == "(0, -2)")
            #expect(await value("len(range(2 ** 62))") == "OverflowError: range() arguments beyond ±2**62 are not supported in this shell")
            #expect(await value("[0][2 ** 64]") == "IndexError: cannot fit 'int' into an index-sized integer")
        }

        @Test func conversionsOfHugeIntsToText() async {
            #expect(await value("len(str(10 ** 4000))") == "4001")
            let r = await runPython("s = str(10 ** 5000)\n")
            #expect(r.failure?.kind == "ValueError")
            #expect(await value("int('9' * 30) + 1") == "1" + String(repeating: "0", count: 30))
            #expect(await value("hex(2 ** 64), bin(-5), oct(8)") == "('0x10000000000000000', '-0b101', '0o10')")
        }
    }
}
