/// Every statement type: a unit test checks that each names a file of `queries/` and that each
/// file has exactly one statement, so an unused or forgotten query is noticed.
package enum Statements {
    /// The `SELECT`/`INSERT`/`UPDATE`/DDL statements.
    package static let all: [any Statement.Type] = [
        EventStatements.ExistingKeys.self, EventStatements.List.self, EventStatements.ForVerify.self,
        EventStatements.Export.self, EventStatements.HashAt.self, EventStatements.HeadLock.self,
        EventStatements.HeadRead.self, EventStatements.HeadAdvance.self,
        DerivationStatements.CursorRead.self, DerivationStatements.CursorLock.self, DerivationStatements.CursorAdvance.self,
        DerivationStatements.EventsOfStates.self, DerivationStatements.Touched.self, DerivationStatements.MissingTableLocks.self,
        DerivationStatements.StatesAll.self, DerivationStatements.StatesOfLocks.self, DerivationStatements.StatesOfRuns.self,
        DerivationStatements.StatesWithUnlockedWrites.self, DerivationStatements.StatesNearGaps.self,
        HoldStatements.DeleteAll.self, HoldStatements.DeleteStates.self, HoldStatements.Dump.self, HoldStatements.Current.self,
        HoldStatements.History.self, HoldStatements.Forced.self, HoldStatements.Stale.self, HoldStatements.WhoAt.self,
        WriteStatements.DeleteAll.self, WriteStatements.DeleteStates.self, WriteStatements.Dump.self, WriteStatements.List.self,
        MigrationStatements.Lock.self, MigrationStatements.Unlock.self, MigrationStatements.Bootstrap.self,
        MigrationStatements.TableExists.self, MigrationStatements.Applied.self, MigrationStatements.MarkApplied.self,
        TokenStatements.Insert.self, TokenStatements.Lookup.self, TokenStatements.List.self, TokenStatements.Revoke.self,
        StateStatements.Known.self, StateStatements.Similar.self,
        UnlockStatements.LockSightings.self, UnlockStatements.LiveRuns.self,
        MaintenanceStatements.StateSightings.self, MaintenanceStatements.Open.self,
        MetricsStatements.Counters.self, MetricsStatements.Held.self, MetricsStatements.Sources.self,
        SourceStatements.Ensure.self, SourceStatements.List.self, SourceStatements.Read.self, SourceStatements.Lock.self,
        SourceStatements.RecordSuccess.self, SourceStatements.RecordFailure.self, SourceStatements.ItemsLoad.self,
        SourceStatements.ItemsUpsert.self, SourceStatements.ItemsDelete.self, SourceStatements.ItemsClear.self,
        BackfillStatements.Read.self, BackfillStatements.Start.self, BackfillStatements.Advance.self, BackfillStatements.Complete.self,
        BackfillStatements.RecordCoverage.self,
        NotificationStatements.Lock.self, NotificationStatements.CursorLock.self, NotificationStatements.CursorStart.self,
        NotificationStatements.CursorAdvance.self, NotificationStatements.ForcedHolds.self, NotificationStatements.UnlockedWrites.self,
        NotificationStatements.Events.self, NotificationStatements.HeldSince.self, NotificationStatements.Insert.self,
        NotificationStatements.Due.self, NotificationStatements.Delivered.self, NotificationStatements.Failed.self,
        NotificationStatements.List.self, NotificationStatements.Retry.self, NotificationStatements.Counts.self,
        LeaseStatements.Acquire.self, LeaseStatements.Renew.self, LeaseStatements.Release.self, LeaseStatements.Fence.self,
        StreamStatements.Read.self, StreamStatements.Positions.self, StreamStatements.Attach.self, StreamStatements.Forget.self,
        StreamStatements.PositionLock.self, StreamStatements.Advance.self,
        QueueStatements.Record.self,
        WebStatements.SessionInsert.self, WebStatements.SessionLookup.self, WebStatements.SessionDelete.self,
        WebStatements.VerificationRecord.self, WebStatements.VerificationLast.self, WebStatements.HoldOne.self,
        WebStatements.EventsBySeq.self, WebStatements.EventsOfState.self, WebStatements.Search.self,
    ]

    /// The `COPY … FROM STDIN` statements.
    package static let copies: [any CopyStatement.Type] = [EventStatements.Copy.self, HoldStatements.Copy.self, WriteStatements.Copy.self]

    /// The files every statement names, `COPY`s included.
    package static var files: [QueryFile] { all.map { $0.file } + copies.map { $0.file } }
}
