CREATE VIEW account_contacts AS
    SELECT a.id AS account_id, a.name, count(c.id) AS contacts
    FROM account a LEFT JOIN contact c ON c.account_id = a.id
    GROUP BY a.id, a.name;

CREATE VIEW busy_accounts AS
    SELECT * FROM account_contacts WHERE contacts > 10;

COMMENT ON VIEW busy_accounts IS 'accounts with more than ten contacts';

CREATE PROCEDURE archive_activity(before timestamptz)
LANGUAGE sql AS $$
    DELETE FROM activity WHERE at < before;
$$;
