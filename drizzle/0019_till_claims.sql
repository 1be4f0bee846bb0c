-- platform.ensure(ok, message): true when ok holds, and otherwise an error with SQLSTATE PT001 and the message.
-- A transaction whose COMMIT is sent behind its statements, before any answer is read (the till's group commit:
-- commitAhead in src/platform/db/client.ts), cannot check the answers in the application and roll back: each
-- statement must fail by itself when what it claims falls short (a budget spent, a per-customer limit reached, lots
-- that do not cover a redemption). The error rolls the transaction back, and the caller, seeing PT001, tries again
-- in the careful way, which names the cause.
CREATE FUNCTION "platform"."ensure"(ok boolean, message text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION USING ERRCODE = 'PT001', MESSAGE = message;
  END IF;
  RETURN true;
END
$$;
