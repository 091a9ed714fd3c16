-- The SPEC §3 KPIs per rep, in plain DuckDB SQL.
-- Reads the view `opportunities` (account_id, rep, expiry_date DATE, prior_amount DOUBLE, status as the CRM
-- wrote it, renewal_amount DOUBLE, close_date DATE) and the variable `as_of` (a DATE); duckdb_kpis.py sets both.
-- Only the rows of the default window count: those expiring by the end of the calendar quarter holding as_of.
-- Account-level KPIs (accounts, retention_rate, value_growth) need sums per (rep, account) first.
WITH typed AS (
    SELECT
        account_id,
        rep,
        expiry_date,
        close_date,
        prior_amount,
        renewal_amount,
        -- the status as of as_of: a row closed after it was still open then
        CASE
            WHEN close_date > getvariable('as_of') THEN 'open'
            WHEN label IN ('closedwon', 'won', 'renewed', 'yes') THEN 'won'
            WHEN label IN ('closedlost', 'lost', 'churned', 'cancelled', 'no') THEN 'lost'
            ELSE 'open'
        END AS status
    FROM (
        SELECT *, lower(regexp_replace(status, '[^[:alnum:]]', '', 'g')) AS label FROM opportunities
        WHERE expiry_date <= CAST(
            date_trunc('quarter', getvariable('as_of')) + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE
        )
    )
),
flagged AS (
    SELECT
        *,
        status = 'won' AS is_won,
        status = 'lost' AS is_lost,
        status = 'open' AS is_open,
        expiry_date <= getvariable('as_of') AS is_due,
        status IN ('won', 'lost') OR expiry_date <= getvariable('as_of') AS at_stake,
        -- the last day of the calendar quarter the contract expires in
        CAST(date_trunc('quarter', expiry_date) + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE) AS quarter_end
    FROM typed
),
per_account AS (
    SELECT
        rep,
        account_id,
        count(*) AS opportunities,
        count(*) FILTER (WHERE is_won) AS won,
        count(*) FILTER (WHERE is_lost) AS lost,
        count(*) FILTER (WHERE is_open) AS open,
        count(*) FILTER (WHERE is_due) AS due,
        count(*) FILTER (WHERE is_open AND expiry_date < getvariable('as_of')) AS past_due,
        count(*) FILTER (WHERE is_won AND is_due AND close_date <= expiry_date) AS on_time,
        count(*) FILTER (WHERE is_won AND close_date <= quarter_end) AS in_quarter,
        max(expiry_date) FILTER (WHERE at_stake) AS last_at_stake,
        max(expiry_date) FILTER (WHERE is_won) AS last_won,
        sum(prior_amount) AS available,
        coalesce(sum(prior_amount) FILTER (WHERE is_won), 0) AS prior_won,
        coalesce(sum(prior_amount) FILTER (WHERE is_lost), 0) AS prior_lost,
        coalesce(sum(prior_amount) FILTER (WHERE at_stake), 0) AS prior_at_stake,
        coalesce(sum(renewal_amount) FILTER (WHERE is_won), 0) AS renewal_won,
        coalesce(sum(least(renewal_amount, prior_amount)) FILTER (WHERE is_won), 0) AS retained_won
    FROM flagged
    GROUP BY rep, account_id
)
SELECT
    rep,
    sum(opportunities) AS opportunities,
    count(*) AS accounts,
    sum(available) AS available,
    sum(won) AS won,
    sum(lost) AS lost,
    sum(open) AS open,
    (sum(won) + sum(lost)) / sum(opportunities) AS resolution_rate,
    sum(won) / nullif(sum(won) + sum(lost), 0) AS close_rate,
    (sum(prior_won) + sum(prior_lost)) / nullif(sum(available), 0) AS resolution_rate_value,
    sum(prior_won) / nullif(sum(prior_won) + sum(prior_lost), 0) AS close_rate_value,
    sum(renewal_won) / nullif(sum(prior_won), 0) AS conversion_rate,
    sum(renewal_won) / nullif(sum(prior_won), 0) - 1 AS uplift,
    sum(renewal_won) / nullif(sum(available), 0) AS renewal_rate,
    sum(due) AS due,
    sum(past_due) AS past_due,
    sum(on_time) / nullif(sum(due), 0) AS otrr,
    sum(in_quarter) / sum(opportunities) AS iqrr,
    -- logo retention: among accounts with a renewal at stake, those whose last one (latest expiry) includes a
    -- won row, that is whose latest won expiry is their latest expiry at stake
    count(*) FILTER (WHERE last_won = last_at_stake) / nullif(count(last_at_stake), 0) AS retention_rate,
    sum(retained_won) / nullif(sum(prior_at_stake), 0) AS grr,
    sum(renewal_won) / nullif(sum(prior_at_stake), 0) AS nrr,
    avg((renewal_won - prior_won) / prior_won) FILTER (WHERE prior_won > 0) AS value_growth,
    sum(prior_lost) AS churned_value
FROM per_account
GROUP BY rep
ORDER BY rep
