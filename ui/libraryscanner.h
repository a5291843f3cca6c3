// Scans the model library (core/library) off the UI thread and hands the result to the studio
// (DESIGN.md §2–3: a controller on the UI thread, the work on a QThread it owns).
//
// Contract
// - Lives on the UI thread; every signal is emitted there. rescan() returns at once: the scan
//   runs on the scanner's own QThread (a library scan stats, reads headers and hashes files).
//   A scan in flight is cancelled (between files) when rescan() is called again.
// - Each rescan publishes twice: first a quick listing (hashes from the cache only, no file
//   read beyond headers), then the hashed one (for "Lora hashes" look-ups). Each result is
//   swapped in whole as a std::shared_ptr<const LibrarySnapshot>; holders of an old snapshot
//   keep it valid.
// - Failures never throw: missing folders and unreadable files arrive as warnings in
//   scanFinished(). shutdown() (and the destructor): cancel -> quit -> wait.
#pragma once

#include <QHash>
#include <QImage>
#include <QObject>
#include <QStringList>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

#include "core/library/model_library.h"
#include "core/pipeline/pipeline.h"

namespace lienzo::ui {

/// One scan's result: the library, the folders it came from and small preview thumbnails.
struct LibrarySnapshot {
  std::shared_ptr<const ModelLibrary> library = std::make_shared<const ModelLibrary>();
  std::vector<LibraryFolder> folders;  ///< as scanned, in order
  QHash<QString, QImage> thumbnails;   ///< preview path → at most kThumbnailSize px
  bool hashed = false;                 ///< false: the quick listing (hashes from the cache)
  static constexpr int kThumbnailSize = 96;
};

/// Where generate() looks up `<lora:…>` names and embeddings: every folder of the library that
/// holds LoRAs (LoRA and LyCORIS folders, and per-file folders where LoRAs were found), and
/// likewise for embeddings, ControlNets and TAESD decoders; in library order, without duplicates.
LibraryFolders networkFolders(const LibrarySnapshot& snapshot);

class LibraryScanner : public QObject {
  Q_OBJECT

 public:
  explicit LibraryScanner(QObject* parent = nullptr);
  ~LibraryScanner() override;

  std::shared_ptr<const LibrarySnapshot> snapshot() const { return m_snapshot; }
  bool isScanning() const { return m_scanning; }

  /// Starts scanning `roots` (cancelling a scan in flight).
  void rescan(std::vector<LibraryRoot> roots);
  void shutdown();

 signals:
  void scanStarted();
  /// After each file of the hashing pass (throttled); `name` is the file's name.
  void progress(int done, int total, const QString& name);
  /// A new snapshot was swapped in (quick listing, then the hashed one).
  void libraryChanged();
  /// The hashed pass ended: warnings for people (missing folders, unreadable files).
  void scanFinished(const QStringList& warnings, bool cancelled);

 private:
  void publish(quint64 generation, std::shared_ptr<const LibrarySnapshot> snapshot);
  void finish(quint64 generation, const QStringList& warnings, bool cancelled);

  QThread m_thread;
  QObject* m_context = nullptr;  ///< lives in m_thread: the scans run in its event loop
  std::shared_ptr<std::atomic<bool>> m_cancel;
  std::shared_ptr<const LibrarySnapshot> m_snapshot = std::make_shared<const LibrarySnapshot>();
  quint64 m_generation = 0;  ///< results of older scans are dropped
  bool m_scanning = false;
  bool m_shutDown = false;
};

}  // namespace lienzo::ui
