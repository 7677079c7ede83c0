-- One message may ask for several reminders before the chat has named its zone ("at 8 and
-- at 20"): the first waits in hour/minute/weekdays as before, the others here, as
-- "HH:MM/weekdays" items separated by commas.
ALTER TABLE reminder_pending ADD COLUMN more_times TEXT;
