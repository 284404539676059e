import LocktrailCore

/// A hold as a row of `holds`: its JSON plus the interval ends the indexes search on.
struct HoldRow {
    var fields: [String?]

    init(_ hold: Hold) {
        func text(_ t: Timestamp?, _ missing: String) -> String { t?.rfc3339 ?? missing }
        let possibleFrom = text(hold.possibleStart, "-infinity")
        let certainFrom = text(hold.certainStart, "infinity")
        let certainTo = text(hold.certainEnd, "-infinity")
        let possibleTo = text(hold.possibleEnd, "infinity")
        // Lists sort by the best single acquire time, or the release when no acquire was seen.
        let sortAt = (hold.acquired?.latest ?? hold.released?.latest ?? hold.createdAt ?? Timestamp(microsecondsSinceEpoch: 0)).rfc3339
        fields = [
            hold.lockID, hold.state, hold.workspace, hold.who, hold.isHeld ? "t" : "f", hold.releaseKind?.rawValue, hold.runID,
            possibleFrom, certainFrom, certainTo, possibleTo, sortAt, CanonicalJSON.string(hold.json),
        ]
    }
}
