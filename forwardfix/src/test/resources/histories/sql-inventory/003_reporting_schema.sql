CREATE SCHEMA reporting;
COMMENT ON SCHEMA reporting IS 'read models';

CREATE VIEW reporting.low_stock AS
    SELECT warehouse, item, quantity FROM inventory.stock WHERE quantity < 10;

CREATE FUNCTION reporting.total_quantity(p_item text) RETURNS bigint
    LANGUAGE sql STABLE
    RETURN (SELECT coalesce(sum(quantity), 0) FROM inventory.stock WHERE item = p_item);
