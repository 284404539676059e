-- Every state that has holds or writes: the candidates a misspelt state is compared with.
SELECT state FROM holds WHERE state IS NOT NULL
UNION
SELECT state FROM writes
