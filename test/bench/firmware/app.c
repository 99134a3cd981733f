/* A typical small firmware, built by the serial throughput benchmark with arm-none-eabi-gcc to get an image that
 * compresses the way real ones do: a command shell, sensor drivers with float maths and printf, lookup tables,
 * a state machine, and the OTA stream agent itself (agent/src) as its update path. It is never run. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ota_agent.h"

int periph_init_all(char *out, size_t len);

#define REG(a) (*(volatile uint32_t *)(a))

/* ---- drivers ---- */
typedef struct { uint8_t addr; uint8_t reg; uint8_t value; const char *name; } reg_init;

#define SENSORS(X) \
    X(bme280, 0x76, 0xd0, 0x60) X(lis3dh, 0x18, 0x0f, 0x33) X(sht31, 0x44, 0xf3, 0x80) X(ina219, 0x40, 0x00, 0x39) \
    X(bh1750, 0x23, 0x10, 0x00) X(mpu6050, 0x68, 0x75, 0x68) X(ads1115, 0x48, 0x01, 0x85) X(veml6070, 0x38, 0x02, 0x06) \
    X(tmp102, 0x48, 0x00, 0x00) X(lps22, 0x5c, 0x0f, 0xb1) X(hmc5883, 0x1e, 0x0a, 0x48) X(si7021, 0x40, 0xe3, 0x00)

static uint32_t i2c_xfer(uint8_t addr, uint8_t reg, uint8_t *data, size_t len, int write)
{
    uint32_t timeout = 100000;
    REG(0x40005400u) = ((uint32_t)addr << 1) | (write ? 0u : 1u);
    REG(0x40005404u) = reg;
    while (len--) {
        while (!(REG(0x40005414u) & 0x40u)) {
            if (--timeout == 0) return 1;
        }
        if (write) REG(0x40005410u) = *data++;
        else *data++ = (uint8_t)REG(0x40005410u);
    }
    return 0;
}

#define DEFINE_SENSOR(name, addr, idreg, idval)                                                         \
    static float name##_offset = 0.0f, name##_gain = 1.0f;                                              \
    static int name##_probe(void)                                                                       \
    {                                                                                                   \
        uint8_t id = 0;                                                                                 \
        if (i2c_xfer(addr, idreg, &id, 1, 0)) {                                                         \
            printf(#name ": no answer at 0x%02x\r\n", addr);                                          \
            return -1;                                                                                  \
        }                                                                                               \
        if (idval && id != idval) {                                                                     \
            printf(#name ": unexpected id 0x%02x (want 0x%02x)\r\n", id, idval);                      \
            return -2;                                                                                  \
        }                                                                                               \
        printf(#name ": found at 0x%02x, id 0x%02x\r\n", addr, id);                                   \
        return 0;                                                                                       \
    }                                                                                                   \
    static float name##_read(void)                                                                      \
    {                                                                                                   \
        uint8_t raw[6];                                                                                 \
        int32_t v;                                                                                      \
        if (i2c_xfer(addr, (uint8_t)(idreg + 1), raw, sizeof raw, 0)) return NAN;                       \
        v = (int32_t)((uint32_t)raw[0] << 16 | (uint32_t)raw[1] << 8 | raw[2]) - 0x800000;              \
        return ((float)v / 8388608.0f) * name##_gain + name##_offset;                                   \
    }                                                                                                   \
    static void name##_calibrate(const float *samples, size_t n)                                        \
    {                                                                                                   \
        float sum = 0, sq = 0;                                                                          \
        size_t i;                                                                                       \
        for (i = 0; i < n; i++) { sum += samples[i]; sq += samples[i] * samples[i]; }                   \
        name##_offset = -sum / (float)n;                                                                \
        name##_gain = 1.0f / sqrtf(sq / (float)n - (sum / (float)n) * (sum / (float)n) + 1e-6f);        \
        printf(#name ": offset %.4f gain %.4f over %u samples\r\n", (double)name##_offset,              \
               (double)name##_gain, (unsigned)n);                                                      \
    }
SENSORS(DEFINE_SENSOR)

/* ---- maths used by the application ---- */
static float heading(float x, float y) { float h = atan2f(y, x) * 57.29578f; return h < 0 ? h + 360.0f : h; }
static float dew_point(float t, float rh) { float a = 17.62f, b = 243.12f, g = logf(rh / 100.0f) + a * t / (b + t); return b * g / (a - g); }
static float altitude(float p) { return 44330.0f * (1.0f - powf(p / 1013.25f, 0.1903f)); }
static float lowpass(float *state, float x, float tau, float dt) { float k = 1.0f - expf(-dt / tau); *state += k * (x - *state); return *state; }
static double wave(double t) { return sin(t) * cos(t / 3.0) + tan(t / 7.0) / 10.0; }

/* ---- tables ---- */
static const uint16_t sine_table[256] = {
#define S4(i) (uint16_t)(32768 + 32767 * ((i) % 64) / 64), (uint16_t)(32768 - 32767 * ((i) % 32) / 32), \
              (uint16_t)(16384 + 64 * (i)), (uint16_t)(49152 - 64 * (i))
    S4(0), S4(1), S4(2), S4(3), S4(4), S4(5), S4(6), S4(7), S4(8), S4(9), S4(10), S4(11), S4(12), S4(13), S4(14), S4(15),
    S4(16), S4(17), S4(18), S4(19), S4(20), S4(21), S4(22), S4(23), S4(24), S4(25), S4(26), S4(27), S4(28), S4(29), S4(30), S4(31),
    S4(32), S4(33), S4(34), S4(35), S4(36), S4(37), S4(38), S4(39), S4(40), S4(41), S4(42), S4(43), S4(44), S4(45), S4(46), S4(47),
    S4(48), S4(49), S4(50), S4(51), S4(52), S4(53), S4(54), S4(55), S4(56), S4(57), S4(58), S4(59), S4(60), S4(61), S4(62), S4(63),
};

/* ---- the command shell ---- */
#define COMMANDS(X) \
    X(help, "list the commands") X(status, "show the device status") X(reboot, "restart the device") \
    X(sensors, "probe every sensor") X(read, "read all sensors once") X(calibrate, "calibrate the sensors") \
    X(log, "show the event log") X(clear, "clear the event log") X(config, "show the configuration") \
    X(set, "set a configuration value") X(save, "save the configuration") X(load, "load the configuration") \
    X(wifi, "show the Wi-Fi state") X(mqtt, "show the MQTT state") X(ota, "wait for an update over serial") \
    X(version, "show the firmware version") X(uptime, "show the uptime") X(heap, "show the memory use") \
    X(gpio, "read or set a pin") X(adc, "read an ADC channel") X(pwm, "set a PWM duty cycle") X(i2cscan, "scan the I2C bus") \
    X(date, "show the date") X(alarm, "set an alarm") X(led, "set the status LED") X(beep, "sound the buzzer")

static struct { uint32_t uptime_s, events, errors; float temperature, humidity, pressure; char name[32]; } dev;
static char log_buf[2048];
static size_t log_len;

static void log_event(const char *fmt, double value)
{
    char line[96];
    int n = snprintf(line, sizeof line, "[%8lu] ", (unsigned long)dev.uptime_s);
    n += snprintf(line + n, sizeof line - (size_t)n, fmt, value);
    if (log_len + (size_t)n + 2 < sizeof log_buf) {
        memcpy(log_buf + log_len, line, (size_t)n);
        log_len += (size_t)n;
        log_buf[log_len++] = '\n';
    }
    dev.events++;
}

#define DEFINE_COMMAND(name, help)                                                                       \
    static int cmd_##name(int argc, char **argv)                                                         \
    {                                                                                                    \
        int i;                                                                                           \
        printf("%s: %s (%d argument%s)\r\n", #name, help, argc - 1, argc == 2 ? "" : "s");              \
        for (i = 1; i < argc; i++) {                                                                     \
            char *end;                                                                                   \
            double v = strtod(argv[i], &end);                                                            \
            if (*end) printf("  %s: '%s' is not a number\r\n", #name, argv[i]);                        \
            else {                                                                                       \
                printf("  %s: value %d = %.3f (%.3e)\r\n", #name, i, v, v);                             \
                log_event(#name " got %.3f", v);                                                         \
            }                                                                                            \
        }                                                                                                \
        printf("  uptime %lu s, %lu events, %lu errors, t=%.2f C rh=%.1f %% p=%.1f hPa\r\n",             \
               (unsigned long)dev.uptime_s, (unsigned long)dev.events, (unsigned long)dev.errors,        \
               (double)dev.temperature, (double)dev.humidity, (double)dev.pressure);                     \
        return 0;                                                                                        \
    }
COMMANDS(DEFINE_COMMAND)

typedef struct { const char *name; const char *help; int (*fn)(int, char **); } command;
#define COMMAND_ENTRY(name, help) { #name, help, cmd_##name },
static const command commands[] = { COMMANDS(COMMAND_ENTRY) };

static int compare_names(const void *a, const void *b)
{
    return strcmp(((const command *)a)->name, ((const command *)b)->name);
}

static int shell_line(char *line)
{
    char *argv[8];
    int argc = 0;
    size_t i;
    char *tok = strtok(line, " \t");
    while (tok && argc < 8) { argv[argc++] = tok; tok = strtok(NULL, " \t"); }
    if (!argc) return 0;
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[0], commands[i].name) == 0) return commands[i].fn(argc, argv);
    }
    printf("unknown command '%s'; type help\r\n", argv[0]);
    return -1;
}

/* ---- the main loop: a state machine ---- */
enum state { BOOT, PROBE, CALIBRATE, RUN, UPDATE, FAULT };

int main(void)
{
    enum state st = BOOT;
    float samples[32], filt = 0;
    char line[128];
    size_t n = 0;
    int i, c;
    static char page[4096];
    (void)periph_init_all(page, sizeof page);
    qsort((void *)commands, sizeof commands / sizeof commands[0], sizeof commands[0], compare_names);
    for (;;) {
        switch (st) {
        case BOOT:
            printf("\r\n%s firmware %s built %s %s\r\n", dev.name[0] ? dev.name : "sensor-node", "2.4.1", __DATE__, __TIME__);
            st = PROBE;
            break;
        case PROBE: {
            int bad = 0;
#define PROBE_ONE(name, a, r, v) bad += name##_probe() != 0;
            SENSORS(PROBE_ONE)
            st = bad > 6 ? FAULT : CALIBRATE;
            break;
        }
        case CALIBRATE:
#define CAL_ONE(name, a, r, v) for (i = 0; i < 32; i++) samples[i] = name##_read(); name##_calibrate(samples, 32);
            SENSORS(CAL_ONE)
            st = RUN;
            break;
        case RUN:
            dev.temperature = lowpass(&filt, bme280_read() * 100.0f, 2.0f, 0.1f);
            dev.humidity = sht31_read() * 100.0f;
            dev.pressure = lps22_read() * 1100.0f;
            if (dev.uptime_s % 60 == 0) {
                printf("t=%.2f rh=%.1f dew=%.2f alt=%.1f heading=%.1f wave=%.4f table=%u\r\n", (double)dev.temperature,
                       (double)dev.humidity, (double)dew_point(dev.temperature, dev.humidity), (double)altitude(dev.pressure),
                       (double)heading(hmc5883_read(), lis3dh_read()), wave(dev.uptime_s), sine_table[dev.uptime_s & 255]);
            }
            c = getchar();
            if (c == '\r' || c == '\n') { line[n] = 0; if (shell_line(line) < 0) dev.errors++; n = 0; }
            else if (c >= 0 && n + 1 < sizeof line) line[n++] = (char)c;
            if (strcmp(line, "ota") == 0) st = UPDATE;
            dev.uptime_s++;
            break;
        case UPDATE:
            ota_agent_init();
            ota_agent_run();
            break;
        case FAULT:
        default:
            printf("fault: %lu errors; scanning and restarting\r\n", (unsigned long)dev.errors);
            for (i = 0; i < 128; i++) { uint8_t d; if (!i2c_xfer((uint8_t)i, 0, &d, 1, 0)) printf("  device at 0x%02x\r\n", i); }
            st = BOOT;
            break;
        }
    }
}
