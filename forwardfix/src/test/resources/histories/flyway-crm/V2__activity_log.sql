CREATE TABLE activity (
    id          bigserial PRIMARY KEY,
    contact_id  bigint NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT activity_kind_known CHECK (kind IN ('call', 'mail', 'meeting'))
);

CREATE FUNCTION log_contact_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO activity (contact_id, kind) VALUES (NEW.id, 'mail');
    RETURN NEW;
END;
$$;

CREATE TRIGGER contact_changed AFTER UPDATE OF email ON contact
    FOR EACH ROW WHEN (OLD.email IS DISTINCT FROM NEW.email)
    EXECUTE FUNCTION log_contact_change();

COMMENT ON FUNCTION log_contact_change() IS 'records e-mail changes';
