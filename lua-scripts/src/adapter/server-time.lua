-- Returns the server clock in milliseconds. Used by the adapter for a
-- one-clock "now" and by tests as the smallest script with an include.
-- KEYS[1] anchor: any key of the caller's hash slot (routes the call; not read)
-- Reply: integer, milliseconds since the epoch by the server's clock
--!include include/time.lua
return server_time_ms()
