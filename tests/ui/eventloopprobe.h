// Test helpers for the event loop: runUntil() waits for a signal; EventLoopProbe measures how long
// the UI thread's event loop is blocked during a generation.
#pragma once

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <iostream>

namespace lienzo::ui::testing {

/// Runs the real event loop (not QTest::qWait, which sleeps between rounds) until `signal` fires
/// or `timeoutMs` pass; whether it fired.
template <typename Sender, typename Signal>
bool runUntil(Sender* sender, Signal signal, int timeoutMs) {
  QEventLoop loop;
  bool fired = false;
  auto c = QObject::connect(sender, signal, &loop, [&] {
    fired = true;
    loop.quit();
  });
  QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
  loop.exec();
  QObject::disconnect(c);
  return fired;
}

/// Watches the UI thread's event loop during a generation in two ways:
/// - a 5 ms timer: the longest wall-clock gap between two ticks (what a user would feel);
/// - an application event filter: the most UI-thread CPU time between the starts of two
///   consecutive events, i.e. the longest any single event handler kept the loop busy. Unlike the
///   wall clock this does not count time the thread waited for a core on a busy machine.
class EventLoopProbe : public QObject {
 public:
  void start() {
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(5);
    QObject::connect(&m_timer, &QTimer::timeout, this, [this] { tick(); });
    m_clock.start();
    m_lastWall = 0;
    m_lastEventCpu = threadCpuMs();
    QCoreApplication::instance()->installEventFilter(this);
    m_timer.start();
  }
  void stop() {
    tick();
    m_timer.stop();
    QCoreApplication::instance()->removeEventFilter(this);
  }
  qint64 worstWallMs() const { return m_worstWall; }
  double worstEventCpuMs() const { return m_worstEventCpu; }
  int ticks() const { return m_ticks; }

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override {
    if (QThread::currentThread() == thread()) {
      const double cpu = threadCpuMs();
      m_worstEventCpu = std::max(m_worstEventCpu, cpu - m_lastEventCpu);
      m_lastEventCpu = cpu;
    }
    return QObject::eventFilter(watched, event);
  }

 private:
  static double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
  }
  void tick() {
    if (!m_clock.isValid()) return;
    const qint64 wall = m_clock.elapsed();
    m_worstWall = std::max(m_worstWall, wall - m_lastWall);
    m_lastWall = wall;
    ++m_ticks;
  }

  QTimer m_timer;
  QElapsedTimer m_clock;
  qint64 m_lastWall = 0;
  qint64 m_worstWall = 0;
  double m_lastEventCpu = 0;
  double m_worstEventCpu = 0;
  int m_ticks = 0;
};

/// True when more threads want to run than there are cores (the 1-minute load average).
inline bool machineOversubscribed(double* load) {
  QFile file(QStringLiteral("/proc/loadavg"));
  *load = 0;
  if (!file.open(QIODevice::ReadOnly)) return false;
  *load = QString::fromLatin1(file.readAll()).section(QLatin1Char(' '), 0, 0).toDouble();
  return *load > QThread::idealThreadCount();
}

inline void expectResponsive(const EventLoopProbe& probe) {
  double load = 0;
  const bool busy = machineOversubscribed(&load);
  std::cout << "[ measure ] event loop during generation: longest timer gap " << probe.worstWallMs()
            << " ms (wall), longest single event " << probe.worstEventCpuMs()
            << " ms (UI-thread CPU); load average " << load << " on " << QThread::idealThreadCount()
            << " cores\n";
  EXPECT_LT(probe.worstEventCpuMs(), 50.0) << "an event handler blocked the event loop";
  if (busy) {
    std::cout << "[ note    ] machine oversubscribed: the wall-clock gap is not asserted\n";
  } else {
    EXPECT_LT(probe.worstWallMs(), 50) << "event loop blocked (wall clock)";
  }
}

}  // namespace lienzo::ui::testing
