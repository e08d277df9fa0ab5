CREATE TABLE IF NOT EXISTS orders (
  id BIGINT PRIMARY KEY,
  customer VARCHAR(200) NOT NULL,
  amount_cents BIGINT NOT NULL,
  -- a row the database refuses: how the tests make a poison write (and a dead letter)
  CONSTRAINT orders_amount_not_negative CHECK (amount_cents >= 0)
);
