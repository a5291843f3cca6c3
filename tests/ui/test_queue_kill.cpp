// "Nothing lost, nothing twice" for the queue (docs/reliability.md, "Crash-safe queue"): a process
// running 20 journaled jobs (batch 2, FakeBackend) is SIGKILLed at a random moment, 20 times;
// after each kill a second process resumes the journal to the end. Then every job's two pictures
// are in the gallery exactly once each, with the seeds the job asked for, and every PNG decodes.
#include <QDir>
#include <QImage>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>

#include "ui/gallerystore.h"
#include "ui/pngmetadata.h"
#include "ui/queuejournal.h"

using namespace lienzo::ui;

namespace {

constexpr int kJobs = 20;

QString child() {
  return QStringLiteral(LIENZO_STUDIO_CHILD);
}

}  // namespace

TEST(QueueKill, KilledQueuesResumeWithNothingLostOrTwice) {
  QRandomGenerator random(20261207);
  int killedMidway = 0;
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    QTemporaryDir journal, gallery;
    QProcess run;
    run.start(child(),
              {QStringLiteral("run"), journal.path(), gallery.path(), QString::number(kJobs)});
    ASSERT_TRUE(run.waitForStarted(10000));
    // Every job is journaled once "queued" is printed; the kill lands at a random point of the
    // ~20 × 2 × 4 steps × 3 ms that follow (or after the end).
    ASSERT_TRUE(run.waitForReadyRead(30000));
    ASSERT_TRUE(run.readAll().startsWith("queued"));
    QThread::msleep(random.bounded(400));
    if (run.state() == QProcess::Running) {
      ++killedMidway;
      run.kill();  // SIGKILL
    }
    ASSERT_TRUE(run.waitForFinished(30000));
    const int savedBeforeResume =
        QDir(gallery.path()).entryList({QStringLiteral("*.png")}, QDir::Files).size();
    const int journaled = QueueJournal(journal.path()).pending().size();
    std::printf("round %2d: %s, %2d pictures saved, %2d jobs journaled\n", round,
                run.exitStatus() == QProcess::CrashExit ? "killed" : "ended ", savedBeforeResume,
                journaled);

    QProcess resume;
    resume.start(child(), {QStringLiteral("resume"), journal.path(), gallery.path()});
    ASSERT_TRUE(resume.waitForFinished(120000));
    EXPECT_EQ(resume.exitCode(), 0) << resume.readAllStandardError().toStdString();
    EXPECT_TRUE(QueueJournal(journal.path()).pending().isEmpty());

    // Every picture once: job chunk "<id>:<index>" unique, 2 per job, seeds as asked.
    std::map<std::string, std::set<int>> indices;
    std::multiset<int64_t> seeds;
    const QStringList pngs = QDir(gallery.path()).entryList({QStringLiteral("*.png")}, QDir::Files);
    for (const QString& name : pngs) {
      const QString path = QDir(gallery.path()).filePath(name);
      EXPECT_FALSE(QImage(path).isNull()) << name.toStdString();
      const auto chunks = readPngText(path);
      ASSERT_TRUE(chunks) << name.toStdString();
      const auto job = chunks->find(GalleryStore::kJobChunk);
      ASSERT_NE(job, chunks->end()) << name.toStdString();
      const auto colon = job->second.rfind(':');
      const bool fresh = indices[job->second.substr(0, colon)]
                             .insert(std::stoi(job->second.substr(colon + 1)))
                             .second;
      EXPECT_TRUE(fresh) << "twice: " << job->second;
      const auto m = QRegularExpression(QStringLiteral("Seed: (\\d+)"))
                         .match(QString::fromStdString(chunks->at("parameters")));
      ASSERT_TRUE(m.hasMatch());
      seeds.insert(m.captured(1).toLongLong());
    }
    EXPECT_EQ(indices.size(), size_t(kJobs));
    for (const auto& [id, saved] : indices) EXPECT_EQ(saved, (std::set<int>{0, 1})) << id;
    std::multiset<int64_t> expected;
    for (int i = 0; i < kJobs; ++i) expected.insert({1000 + 10 * i, 1000 + 10 * i + 1});
    EXPECT_EQ(seeds, expected);
  }
  EXPECT_GE(killedMidway, 10) << "most kills should land inside the queue";
}
