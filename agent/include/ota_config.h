/* Compile-time sizes of the OTA stream agent. Override any of them with -D on the compiler command line or by
 * defining them before this header is included (e.g. from a board-specific ota_board_config.h). */
#ifndef OTA_CONFIG_H
#define OTA_CONFIG_H

/* Largest DATA payload the agent accepts, in bytes (the host sends at most this much per frame). */
#ifndef OTA_FRAME_MAX
#define OTA_FRAME_MAX 1024u
#endif

/* Frames the host may have in flight beyond the last acknowledged one. The UART receive path (DMA ring or
 * interrupt FIFO, see ota_ring.h) must hold OTA_WINDOW * (OTA_FRAME_MAX + OTA_FRAME_OVERHEAD) bytes. */
#ifndef OTA_WINDOW
#define OTA_WINDOW 8u
#endif

/* Largest flash program unit the agent buffers; the HAL reports the real one (<= this) at run time.
 * Two page buffers are kept so that receiving overlaps programming. */
#ifndef OTA_PAGE_MAX
#define OTA_PAGE_MAX 4096u
#endif

/* log2 of the largest deflate window the inflater accepts (9..12). Its RAM is 1 << OTA_INFLATE_WINDOW_BITS. */
#ifndef OTA_INFLATE_WINDOW_BITS
#define OTA_INFLATE_WINDOW_BITS 12u
#endif

/* Set to 0 to build without the inflater (the agent then does not advertise compression). */
#ifndef OTA_WITH_INFLATE
#define OTA_WITH_INFLATE 1
#endif

/* Silence on the line, mid-transfer, after which the agent asks again for the frame it expects. */
#ifndef OTA_IDLE_NAK_MS
#define OTA_IDLE_NAK_MS 500u
#endif

/* Silence in the middle of a frame after which its start is taken for noise and the bytes after it are searched
 * for frames (a partial frame left by an earlier run must not swallow the next HELLO). */
#ifndef OTA_RESYNC_MS
#define OTA_RESYNC_MS 250u
#endif

/* Frame header (SOF, type, length, sequence) plus CRC-32. */
#define OTA_FRAME_OVERHEAD 12u

#if OTA_INFLATE_WINDOW_BITS < 9 || OTA_INFLATE_WINDOW_BITS > 12
#error "OTA_INFLATE_WINDOW_BITS must be 9..12"
#endif
#if OTA_WINDOW * OTA_FRAME_MAX < 2u * OTA_PAGE_MAX
#error "OTA_WINDOW * OTA_FRAME_MAX must be at least two pages, or the agent could wait for data the host holds back"
#endif

#endif
