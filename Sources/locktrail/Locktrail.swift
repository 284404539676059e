import ArgumentParser
import LocktrailCore

/// The `locktrail` command: lock history and audit log for Terraform/OpenTofu state locks.
@main
struct Locktrail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locktrail",
        abstract: "The lock history and audit log for Terraform/OpenTofu state locks.",
        discussion: """
            Collects lock acquire/release events from DynamoDB lock tables and S3 into an
            append-only, hash-chained log in PostgreSQL, and answers who held which state, when.

            Database: --database, DATABASE_URL, or libpq's PG* variables; with none of them,
            locktrail starts a private PostgreSQL of its own (see `locktrail db`).
            """,
        version: LocktrailVersion.current,
        subcommands: [
            MigrateCommand.self, CollectCommand.self, BackfillCommand.self, CurrentCommand.self, WhoCommand.self,
            HistoryCommand.self, ForcedCommand.self, StaleCommand.self, WritesCommand.self, EventsCommand.self, ExportCommand.self,
            VerifyCommand.self, RebuildCommand.self, ServeCommand.self, TokenCommand.self, WrapCommand.self, HookCommand.self,
            UnlockCommand.self, LockCommand.self, WaitCommand.self, DatabaseCommand.self, CheckpointCommand.self,
            NotificationsCommand.self, SourcesCommand.self, HoldCommand.self,
        ]
    )
}
