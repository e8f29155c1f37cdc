-- Feed of published posts with their author
CREATE VIEW "PublishedFeed" AS
  SELECT p."id", p."title", u."email" AS "author", p."updatedAt"
  FROM "Post" p JOIN "User" u ON u."id" = p."authorId"
  WHERE p."published";

CREATE VIEW "RecentFeed" AS
  SELECT * FROM "PublishedFeed" WHERE "updatedAt" > now() - interval '7 days';

CREATE MATERIALIZED VIEW "PostCountByAuthor" AS
  SELECT "authorId", count(*) AS "posts" FROM "Post" GROUP BY "authorId";

CREATE UNIQUE INDEX "PostCountByAuthor_authorId_key" ON "PostCountByAuthor"("authorId");

CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."updatedAt" := now();
  RETURN NEW;
END;
$$;

CREATE TRIGGER "Post_touch" BEFORE UPDATE ON "Post"
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Posts searched by lower-cased title, drafts only
CREATE INDEX "Post_draft_title_idx" ON "Post" (lower("title")) WHERE NOT "published";
