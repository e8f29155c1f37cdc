CREATE SCHEMA inventory;

CREATE TABLE inventory.warehouse (
    code        text PRIMARY KEY,
    city        text NOT NULL COLLATE "C",
    capacity    integer NOT NULL CHECK (capacity > 0)
);

CREATE TABLE inventory.stock (
    warehouse   text NOT NULL REFERENCES inventory.warehouse (code) ON UPDATE CASCADE,
    item        text NOT NULL,
    quantity    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (warehouse, item)
);
