-- CreateEnum
CREATE TYPE "NotificationType" AS ENUM ('WELCOME', 'ORDER_RECEIVED', 'ORDER_CONFIRMED', 'ORDER_CANCELLED');

-- CreateTable
CREATE TABLE "users" (
    "user_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" TEXT NOT NULL,
    "type" "NotificationType" NOT NULL,
    "order_id" TEXT,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "message_id" TEXT,

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "notifications_order_id_type_key" ON "notifications"("order_id", "type");

-- CreateIndex
CREATE INDEX "notifications_user_id_sent_at_idx" ON "notifications"("user_id", "sent_at" DESC);

-- One welcome email per user. (Prisma cannot declare partial indexes; the drift guard allows
-- indexes schema.prisma does not name.)
CREATE UNIQUE INDEX "notifications_welcome_user_key" ON "notifications"("user_id") WHERE "type" = 'WELCOME';

-- The dispatcher reads only unsent rows, by when they are due: the index stays small however many are sent.
CREATE INDEX "notifications_pending_idx" ON "notifications"("next_attempt_at") WHERE "sent_at" IS NULL;

-- Wake the mail dispatchers when a transaction that recorded an email commits (NOTIFY is delivered
-- at commit, so a woken dispatcher sees the row; a conflicting insert that did nothing fires no row trigger).
CREATE FUNCTION "notification_pending_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(TG_TABLE_SCHEMA || '.notification_pending', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER "notification_pending_notify" AFTER INSERT ON "notifications"
  FOR EACH ROW EXECUTE FUNCTION "notification_pending_notify"();
