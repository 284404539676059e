/// Close matches for a state name that is not known: what a typo most likely meant.
public enum StateSuggestions {
    /// Up to `limit` of `known` closest to `wanted` by edit distance (ignoring case), only those
    /// within a third of its length or sharing its key.
    public static func closest(to wanted: String, in known: [String], limit: Int = 3) -> [String] {
        let target = Array(wanted.lowercased().unicodeScalars)
        let key = wanted.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init)
        let scored = known.map { candidate -> (Int, String) in
            (distance(target, Array(candidate.lowercased().unicodeScalars)), candidate)
        }
        let allowed = max(2, target.count / 3)
        return
            scored
            .filter { score, candidate in
                score <= allowed || (key.map { candidate.hasSuffix("/" + $0) } ?? false)
            }
            .sorted { $0 < $1 }
            .prefix(limit)
            .map(\.1)
    }

    /// Levenshtein distance, two rows of memory.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
