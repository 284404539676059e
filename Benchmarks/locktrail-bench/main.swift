import Foundation

/// `locktrail-bench`: throughput benchmarks for locktrail (see Benchmarks/README.md).
let usage = """
    usage: locktrail-bench append --database CONNINFO [--events N] [--batch N] [--seed N] [--dump FILE] [--phases]
                                  [--shape lock|scale] [--states N]

      append   appends N generated lock events (default 1000000) through EventLog.append in
               transactions of --batch events (default 10000) into a freshly migrated database
               and prints rows/s; --dump writes the stored rows in COPY text format (the columns
               of queries/events_copy.sql); --phases also times the client-side CPU work alone.
               --shape scale generates runs over --states states (default 10000) in the shapes
               of DynamoDB scans, S3 listings and wrapper hooks (ScaleEventGenerator).
    """

/// A benchmark failure, in one sentence.
struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func parseAppend(_ arguments: ArraySlice<String>) throws -> AppendBenchmark {
    var bench = AppendBenchmark(database: "", events: 1_000_000, batch: 10_000, seed: 1, dump: nil, phases: false)
    var rest = arguments
    func value(_ name: String) throws -> String {
        guard let v = rest.popFirst() else { throw BenchmarkError("\(name) needs a value") }
        return v
    }
    func number(_ name: String) throws -> Int {
        guard let n = Int(try value(name)), n > 0 else { throw BenchmarkError("\(name) takes a positive integer") }
        return n
    }
    while let argument = rest.popFirst() {
        switch argument {
        case "--database": bench.database = try value(argument)
        case "--events": bench.events = try number(argument)
        case "--batch": bench.batch = try number(argument)
        case "--seed": bench.seed = UInt64(try number(argument))
        case "--dump": bench.dump = try value(argument)
        case "--phases": bench.phases = true
        case "--states": bench.states = try number(argument)
        case "--shape":
            bench.shape = try value(argument)
            guard ["lock", "scale"].contains(bench.shape) else { throw BenchmarkError("--shape is lock or scale") }
        default: throw BenchmarkError("unknown option \(argument)")
        }
    }
    guard !bench.database.isEmpty else { throw BenchmarkError("--database is required") }
    return bench
}

let arguments = CommandLine.arguments.dropFirst()
do {
    switch arguments.first {
    case "append": try await parseAppend(arguments.dropFirst()).run()
    case "-h", "--help", "help": print(usage)
    default: throw BenchmarkError("unknown or missing subcommand\n\(usage)")
    }
} catch {
    FileHandle.standardError.write(Data("locktrail-bench: \(error)\n".utf8))
    exit(1)
}
