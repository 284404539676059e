-- Which canonical encoding each event was hashed with (`EventEncoding`, `"v"` in the encoding):
-- verify re-encodes every event with its own, so a new encoding changes how new events are
-- written and never rewrites history. Encoding 2 writes numbers as RFC 8785 requires
-- (ECMAScript's Number::toString); encoding 1, which every event stored before this migration
-- used, printed integers from 2^53 to 9e18 with all their digits.
--
-- Adding a column with a constant default rewrites no row (and fires no trigger): the existing
-- rows read back as 1. The default is then dropped, so a writer that forgets the column fails
-- loudly instead of recording encoding 1 for an event hashed with another.
ALTER TABLE events ADD COLUMN encoding smallint NOT NULL DEFAULT 1 CHECK (encoding IN (1, 2));
ALTER TABLE events ALTER COLUMN encoding DROP DEFAULT;
