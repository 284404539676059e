public import ArgumentParser
import LocktrailCore
public import LocktrailStore

/// `locktrail token create|list|revoke`: bearer tokens of the HTTP API.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke the HTTP API's bearer tokens.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token and print its secret (shown once, stored only hashed).")

        @OptionGroup var db: DatabaseOptions

        @Option(name: .long, help: "A unique name saying who or what uses it.")
        var name: String

        @Option(name: .long, help: "read (queries), ingest (hook events) or admin; repeatable.")
        var scope: [TokenScope] = [.read]

        func validate() throws {
            guard !name.isEmpty, name.count <= 200 else { throw ValidationError("--name must be 1 to 200 characters") }
        }

        func run() async throws {
            let store = try await db.openCurrentStore(maxConnections: 1)
            let (name, scopes) = (name, Set(scope))
            do {
                let secret = try await store.tokens.create(name: name, scopes: scopes)
                print(secret)
            } catch let error as QueryError {
                Terminal.note(error.description)
                throw ExitCode(2)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")

        @OptionGroup var db: DatabaseOptions

        @Option(name: .long, help: "Output format: table, json or csv.")
        var format: OutputFormat?

        func run() async throws {
            let store = try await db.openCurrentStore(maxConnections: 1)
            let tokens = try await store.tokens.list()
            var rows = Rows(columns: ["name", "scopes", "created_at", "revoked_at"])
            for t in tokens {
                let scopes = t.scopes.map(\.rawValue).sorted()
                rows.rows.append([t.name, scopes.joined(separator: ","), t.createdAt, t.revokedAt])
                rows.objects.append([
                    "name": .string(t.name), "scopes": .array(scopes.map(JSONValue.string)), "created_at": .optional(t.createdAt),
                    "revoked_at": .optional(t.revokedAt),
                ])
            }
            rows.print(as: .resolve(format))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by name; it stops working at once.")

        @OptionGroup var db: DatabaseOptions

        @Option(name: .long, help: "The token's name.")
        var name: String

        func run() async throws {
            let store = try await db.openCurrentStore(maxConnections: 1)
            let name = name
            guard try await store.tokens.revoke(name: name) else {
                Terminal.note("no live token is named '\(name)'")
                throw ExitCode(2)
            }
            print("revoked \(name)")
        }
    }
}

extension TokenScope: ExpressibleByArgument {}
