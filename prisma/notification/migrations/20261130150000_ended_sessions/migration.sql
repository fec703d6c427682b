-- Login sessions that auth said have ended (session.ended): a stream of one is ended on every replica
-- and none is opened again. A row matters only while an access token of its session may be alive, so
-- rows older than ENDED_SESSION_RETENTION_SECONDS are deleted, oldest first, through the index.
CREATE TABLE "ended_sessions" (
    "session_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "ended_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ended_sessions_pkey" PRIMARY KEY ("session_id")
);

CREATE INDEX "ended_sessions_ended_at_idx" ON "ended_sessions"("ended_at");
