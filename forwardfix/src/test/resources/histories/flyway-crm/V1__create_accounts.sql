CREATE TYPE account_tier AS ENUM ('free', 'pro');

CREATE TABLE account (
    id          integer NOT NULL,
    name        varchar(80) NOT NULL,
    tier        account_tier NOT NULL DEFAULT 'free',
    country     char(2),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT account_pk PRIMARY KEY (id)
);

CREATE SEQUENCE account_id_seq OWNED BY account.id;
ALTER TABLE account ALTER COLUMN id SET DEFAULT nextval('account_id_seq');

CREATE TABLE contact (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  integer NOT NULL REFERENCES account (id),
    email       text NOT NULL,
    phone       text,
    CONSTRAINT contact_email_format CHECK (email LIKE '%@%')
);

CREATE UNIQUE INDEX contact_account_email_uq ON contact (account_id, lower(email));

COMMENT ON TABLE account IS 'customer accounts';
COMMENT ON COLUMN contact.phone IS 'E.164';
